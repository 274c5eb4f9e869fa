// KB releases as self-repair sees them: the release open in a region, if any, and rolling it
// back. The release registry (issue #20) is not in this code base yet, so no release is ever
// open here and a rollback finds none; its `open` and `rollback` are what to wire to it.
import type { Region } from "../edge/regions.ts";

export interface OpenRelease {
  id: string;
  /** Epoch ms. */
  openedAt: number;
}

export interface Releases {
  open(region: Region): Promise<OpenRelease | null>;
  /** Rolls the release back; false when it is not open. */
  rollback(id: string): Promise<boolean>;
}

/** No release registry: nothing open, nothing to roll back. */
export const NO_RELEASES: Releases = {
  open: async () => null,
  rollback: async () => false,
};

export function releases(_env: Env): Releases {
  return NO_RELEASES;
}

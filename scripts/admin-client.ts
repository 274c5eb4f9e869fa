// The admin API from the command line: a running Worker (HOLDFAST_URL, default
// http://127.0.0.1:$PORT or 8787) with an admin key (HOLDFAST_ADMIN_KEY, else ADMIN_API_KEY,
// else the one in .dev.vars). A non-2xx answer throws with its error code.
import { readDevVar } from "./dev-vars.ts";

export type AdminCall = <T>(method: string, path: string, body?: unknown) => Promise<T>;

export function client(url: string, key: string): AdminCall {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json?.error ? `${json.error.code}: ${json.error.message}` : ""}`.trim());
    return json as T;
  };
}

/** The Worker's URL and an admin key, from the environment (or .dev.vars). */
export function adminTarget(): { url: string; key: string } {
  const url = (process.env.HOLDFAST_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`).replace(/\/+$/, "");
  const key = process.env.HOLDFAST_ADMIN_KEY ?? process.env.ADMIN_API_KEY ?? readDevVar("ADMIN_API_KEY");
  if (!key) throw new Error("No admin key: set HOLDFAST_ADMIN_KEY (or ADMIN_API_KEY), or run `npm start` once to create .dev.vars.");
  return { url, key };
}

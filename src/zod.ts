// "zod" as the Worker bundles it (wrangler.toml `alias`): zod 4 without `z.locales` and `z.core`,
// which hold its error messages in 40-odd languages (about 45 KiB of the bundle gzipped). Once the
// namespace is passed around as a value (@hono/zod-openapi extends it), esbuild keeps all of it;
// named re-exports let it drop what nothing reads. English messages stay: zod registers them
// itself. Type checking and Node tooling use zod as it is; test/unit/zod-bundle.test.ts checks
// that this keeps every other export.
import * as z from "./zod-exports.ts";

export * from "./zod-exports.ts";
export { z, z as default };

// Reads a JSON request body once, enforcing media type and size, so that validators see
// parsed JSON and every failure has its own code. A `__proto__` key anywhere is refused:
// strict objects reject it already, but a record (metadata) would silently drop it, and no
// later copy of the body should ever meet one.
import { createMiddleware } from "hono/factory";
import { AppError } from "../../errors.ts";
import type { AppEnv } from "../context.ts";

export const jsonBody = createMiddleware<AppEnv>(async (c, next) => {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new AppError("unsupported_media_type");
  const limit = c.var.config.maxBodyBytes;
  if (Number(c.req.header("content-length") ?? 0) > limit) throw new AppError("payload_too_large");
  const bytes = await readLimited(c.req.raw.body, limit);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new AppError("invalid_json");
  }
  if (hasProtoKey(parsed)) throw new AppError("unknown_field", [{ path: "(body)", issue: "__proto__ keys are not accepted" }]);
  // Hono's validator reads the body through this cache instead of the consumed stream.
  c.req.bodyCache.json = Promise.resolve(parsed);
  await next();
});

/** True when an object anywhere in `value` has an own `__proto__` key (walked without recursion: bodies may nest deeply). */
function hasProtoKey(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== "object") continue;
    if (!Array.isArray(v) && Object.hasOwn(v, "__proto__")) return true;
    for (const child of Object.values(v)) stack.push(child);
  }
  return false;
}

async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new AppError("payload_too_large");
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

import { describe, expect, it } from "vitest";
import { createDataKey, EnvelopeError, kidOf, newDataKey, open, parseKeyring, rewrap, seal, unwrapDataKey, wrapDataKey, type Keyring } from "../../src/privacy/envelope.ts";

const b64 = (fill: number, n = 32) => btoa(String.fromCharCode(...new Uint8Array(n).fill(fill)));
const b64url = (fill: number) => b64(fill).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const ring = (secret: string): Keyring => {
  const r = parseKeyring(secret);
  if (!r) throw new Error("test keyring did not parse");
  return r;
};
const OLD = ring(`k1:${b64(1)}`);
const ROTATED = ring(`k2:${b64(2)},k1:${b64(1)}`);
const conversation = "eu-7f3a";

async function rejection(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (err) {
    return err instanceof EnvelopeError ? err.code : `untyped: ${String(err)}`;
  }
  return "resolved";
}

/** Flips one character of the base64url part at `index` of a dotted string. */
function flip(text: string, part: number, at = 3): string {
  const parts = text.split(".");
  const p = parts[part]!;
  parts[part] = p.slice(0, at) + (p[at] === "A" ? "B" : "A") + p.slice(at + 1);
  return parts.join(".");
}

describe("keyring", () => {
  it.each([
    ["one kid", `k1:${b64(1)}`, "k1", ["k1"]],
    ["the first entry is current", `2025b:${b64(2)}, 2025a:${b64(1)}`, "2025b", ["2025b", "2025a"]],
    ["a bare base64 key", b64(7), "k1", ["k1"]],
    ["base64url without padding", `k9:${b64url(9)}`, "k9", ["k9"]],
  ])("parses %s", (_name, secret, current, kids) => {
    expect(parseKeyring(secret)).toMatchObject({ current, kids });
  });

  it.each([
    ["nothing", undefined],
    ["an empty string", ""],
    ["a 16-byte key", `k1:${b64(1, 16)}`],
    ["a 33-byte key", `k1:${b64(1, 33)}`],
    ["a bare short key", b64(1, 31)],
    ["not base64", "k1:not*base64*at*all*not*base64*at*all*xx"],
    ["a duplicate kid", `k1:${b64(1)},k1:${b64(2)}`],
    ["an empty kid", `:${b64(1)}`],
    ["a kid with a dot", `k.1:${b64(1)}`],
    ["a trailing comma", `k1:${b64(1)},`],
  ])("rejects %s", (_name, secret) => {
    expect(parseKeyring(secret)).toBeNull();
  });
});

describe("envelope encryption", () => {
  it("round-trips text, Chinese and emoji included, through a wrapped data key", async () => {
    const { key, wrapped } = await createDataKey(OLD, conversation);
    const sealed = await seal(key, "我的订单 🙂 arrived", "m1");
    const again = await unwrapDataKey(OLD, wrapped, conversation);
    expect(await open(again, sealed, "m1")).toBe("我的订单 🙂 arrived");
  });

  it("writes compact, URL-safe text that names the kid", async () => {
    const { key, wrapped } = await createDataKey(OLD, conversation);
    expect(wrapped).toMatch(/^k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{64}$/);
    expect(await seal(key, "", "m")).toMatch(/^s1\.[A-Za-z0-9_-]+$/);
    expect(kidOf(wrapped)).toBe("k1");
  });

  it("never seals the same text the same way twice (a fresh IV each time)", async () => {
    const { key } = await createDataKey(OLD, conversation);
    expect(await seal(key, "same", "m")).not.toBe(await seal(key, "same", "m"));
  });

  it("makes data keys that cannot be exported, and forgets a new key's raw bytes once wrapped", async () => {
    const fresh = await newDataKey();
    expect(fresh.cryptoKey.extractable).toBe(false);
    await wrapDataKey(OLD, fresh, conversation);
    expect(fresh.raw.every((b) => b === 0)).toBe(true);
    expect(await rejection(wrapDataKey(OLD, fresh, conversation))).toBe("malformed");
  });

  it("keeps a leading byte-order mark", async () => {
    const { key } = await createDataKey(OLD, conversation);
    expect(await open(key, await seal(key, "\uFEFFhi", "m"), "m")).toBe("\uFEFFhi");
  });
});

describe("tampering is detected", () => {
  it.each([
    ["a changed ciphertext", async () => {
      const { key } = await createDataKey(OLD, conversation);
      const sealed = await seal(key, "hello world", "m1");
      // Change the second-to-last character to another one (always another: never itself).
      const at = sealed.length - 2;
      return open(key, sealed.slice(0, at) + (sealed[at] === "A" ? "B" : "A") + sealed.slice(at + 1), "m1");
    }, "tampered"],
    ["another aad", async () => {
      const { key } = await createDataKey(OLD, conversation);
      return open(key, await seal(key, "hello", "m1"), "m2");
    }, "tampered"],
    ["another data key", async () => {
      const a = await createDataKey(OLD, conversation);
      const b = await createDataKey(OLD, conversation);
      return open(b.key, await seal(a.key, "hello", "m1"), "m1");
    }, "tampered"],
    ["a truncated sealed value", async () => {
      const { key } = await createDataKey(OLD, conversation);
      return open(key, "s1.AAAA", "m1");
    }, "malformed"],
    ["a wrapped key unwrapped for another context", async () => unwrapDataKey(OLD, (await createDataKey(OLD, conversation)).wrapped, "eu-other"), "tampered"],
    ["a changed wrapped key", async () => unwrapDataKey(OLD, flip((await createDataKey(OLD, conversation)).wrapped, 2), conversation), "tampered"],
    ["a changed IV", async () => unwrapDataKey(OLD, flip((await createDataKey(OLD, conversation)).wrapped, 1), conversation), "tampered"],
    ["a kid swapped for another the ring knows", async () => unwrapDataKey(ROTATED, (await createDataKey(OLD, conversation)).wrapped.replace(/^k1\./, "k2."), conversation), "tampered"],
    ["an unknown kid", async () => unwrapDataKey(OLD, (await createDataKey(ROTATED, conversation)).wrapped, conversation), "unknown_kid"],
    ["garbage", async () => unwrapDataKey(OLD, "garbage", conversation), "malformed"],
  ])("%s", async (_name, attempt, code) => {
    expect(await rejection(attempt())).toBe(code);
  });

  it("does not put the input in the error message", async () => {
    const err = await unwrapDataKey(OLD, "secret-looking-input.AAAA.BBBB", conversation).catch((e: Error) => e);
    expect(String((err as Error).message)).not.toContain("secret-looking");
  });
});

describe("master key rotation", () => {
  it("still opens data under a key wrapped with the old kid", async () => {
    const { key, wrapped } = await createDataKey(OLD, conversation);
    const sealed = await seal(key, "before rotation", "m1");
    expect(await open(await unwrapDataKey(ROTATED, wrapped, conversation), sealed, "m1")).toBe("before rotation");
  });

  it("wraps new keys with the new kid", async () => {
    expect(kidOf((await createDataKey(ROTATED, conversation)).wrapped)).toBe("k2");
  });

  it("rewrap moves a key to the current kid, and the data still opens without the old master key", async () => {
    const { key, wrapped } = await createDataKey(OLD, conversation);
    const sealed = await seal(key, "moved", "m1");
    const moved = await rewrap(ROTATED, wrapped, conversation);
    expect(kidOf(moved)).toBe("k2");
    const newOnly = ring(`k2:${b64(2)}`);
    expect(await open(await unwrapDataKey(newOnly, moved, conversation), sealed, "m1")).toBe("moved");
    expect(await rejection(unwrapDataKey(newOnly, wrapped, conversation))).toBe("unknown_kid");
  });

  it("rewrap leaves a key already under the current kid as it is, but still checks it", async () => {
    const { wrapped } = await createDataKey(ROTATED, conversation);
    expect(await rewrap(ROTATED, wrapped, conversation)).toBe(wrapped);
    expect(await rejection(rewrap(ROTATED, wrapped, "eu-other"))).toBe("tampered");
  });
});

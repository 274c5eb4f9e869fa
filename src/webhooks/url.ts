// Where a webhook may point. HTTPS only; plain http only to a loopback address (localhost,
// 127.0.0.0/8, ::1) and only in development (HOLDFAST_DEV=1), for a local receiver. Refused
// whatever the mode: other schemes, credentials in the URL (they would end up in logs and
// lists: sign with the secret instead), fragments, and literal addresses that are not public
// (private, loopback, link-local, carrier-grade NAT, unique-local, unspecified) or names of the
// same (`localhost`, `*.localhost`, `*.local`, `*.internal`). Names are not resolved here (the
// Worker cannot); Cloudflare's outbound fetch does not reach private networks in any case.

export const MAX_URL_LENGTH = 2_048;

export type UrlCheck = { ok: true; url: string } | { ok: false; issue: string };

export function checkWebhookUrl(raw: string, dev: boolean): UrlCheck {
  if (typeof raw !== "string" || raw.length > MAX_URL_LENGTH) return { ok: false, issue: `at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, issue: "not an absolute URL" };
  }
  if (url.username || url.password) return { ok: false, issue: "credentials in the URL are refused; the payload is signed instead" };
  if (url.hash) return { ok: false, issue: "a fragment is refused" };
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  const loopback = isLoopback(host);
  if (url.protocol === "http:") {
    if (dev && loopback) return { ok: true, url: url.toString() };
    return { ok: false, issue: dev ? "http only to a loopback address in development; https otherwise" : "https only" };
  }
  if (url.protocol !== "https:") return { ok: false, issue: "https only" };
  if (loopback && dev) return { ok: true, url: url.toString() };
  if (!isPublicHost(host)) return { ok: false, issue: "not a public address" };
  return { ok: true, url: url.toString() };
}

function isLoopback(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost") || host === "::1") return true;
  const v4 = ipv4(host);
  return v4 !== null && v4[0] === 127;
}

/** False for names and literals that never mean a public receiver. */
function isPublicHost(host: string): boolean {
  if (!host || host === "localhost" || /\.(localhost|local|internal)$/.test(host)) return false;
  const v4 = ipv4(host);
  if (v4) return publicV4(v4);
  if (host.includes(":")) return publicV6(host);
  return true;
}

function ipv4(host: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((n) => n <= 255) ? parts : null;
}

function publicV4([a, b]: number[]): boolean {
  return !(
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b! >= 64 && b! <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b! >= 16 && b! <= 31) ||
    (a === 192 && b === 168) ||
    a! >= 224
  );
}

function publicV6(host: string): boolean {
  if (host === "::" || host === "::1") return false;
  // IPv4-mapped (::ffff:a.b.c.d, which URL writes as ::ffff:xxxx:xxxx): judged as IPv4.
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped) {
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    return publicV4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  }
  const first = parseInt(host.split(":")[0] || "0", 16);
  // fc00::/7 unique-local, fe80::/10 link-local, ff00::/8 multicast.
  return !((first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00);
}

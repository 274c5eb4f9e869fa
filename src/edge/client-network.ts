// The network a client address stands for, as per-IP limits count it: an IPv4 address on its
// own, an IPv6 address by its /64 (one subscriber or LAN gets a whole /64 and can pick any
// address in it, so counting addresses would let one client rotate past every limit). An
// IPv4-mapped IPv6 address (::ffff:a.b.c.d) is that IPv4 address. Anything that does not
// parse is one network of its own, "invalid": stable, never an error.

/** The longest address worth parsing: a full IPv6 address with an embedded IPv4 and a zone id fits. */
const MAX_LENGTH = 100;
const HEX_GROUP = /^[0-9a-f]{1,4}$/;
const OCTET = /^[0-9]{1,3}$/;

/**
 * The canonical network of an address: `v4:<a.b.c.d>`, `v6:<first four groups>::/64`
 * (lower case, no leading zeros), or `invalid`. Case, `::` compression, brackets, leading
 * zeros and a zone id (`%eth0`) do not change it.
 */
export function clientNetwork(raw: string | null | undefined): string {
  if (typeof raw !== "string" || raw.length > MAX_LENGTH) return "invalid";
  const text = raw.trim();
  const v4 = parseIpv4(text);
  if (v4) return `v4:${v4.join(".")}`;
  const v6 = parseIpv6(text);
  if (!v6) return "invalid";
  if (v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff) return `v4:${v6[6]! >> 8}.${v6[6]! & 0xff}.${v6[7]! >> 8}.${v6[7]! & 0xff}`;
  return `v6:${v6
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

/** Four decimal octets (0–255), or null. */
function parseIpv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return null;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

/** The eight 16-bit groups of an IPv6 address (RFC 4291 text forms), or null. */
function parseIpv6(text: string): number[] | null {
  let s = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  s = s.toLowerCase();
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const compressed = halves.length === 2;
  const head = groupsOf(halves[0]!, !compressed);
  const tail = compressed ? groupsOf(halves[1]!, true) : [];
  if (!head || !tail) return null;
  if (!compressed) return head.length === 8 ? head : null;
  // `::` stands for at least one group of zeros.
  if (head.length + tail.length > 7) return null;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** The groups of one side of `::` (empty for ""); an IPv4 tail counts as two, and only at the very end. */
function groupsOf(part: string, last: boolean): number[] | null {
  if (part === "") return [];
  const pieces = part.split(":");
  const groups: number[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (HEX_GROUP.test(piece)) groups.push(parseInt(piece, 16));
    else if (last && i === pieces.length - 1 && piece.includes(".")) {
      const v4 = parseIpv4(piece);
      if (!v4) return null;
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else return null;
  }
  return groups.length <= 8 ? groups : null;
}

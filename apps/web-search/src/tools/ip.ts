import { isIPv4, isIPv6 } from "node:net";

/**
 * Address classification for the SSRF guard. IPv4 uses a deny-list of every
 * special-purpose range (RFC 6890 and friends); IPv6 is allowed only inside
 * global unicast 2000::/3, minus the reserved pieces of it, and any IPv6 form
 * that embeds an IPv4 address is judged by that IPv4 address.
 */
const V4_DENY: ReadonlyArray<readonly [string, number, string]> = [
  ["0.0.0.0", 8, "unspecified/this-network"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "carrier-grade NAT"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "IETF protocol assignments"],
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "6to4 relay"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved/broadcast"],
];

function v4ToInt(ip: string): number {
  return ip.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

function v4Reason(ip: string): string | undefined {
  const n = v4ToInt(ip);
  for (const [base, bits, reason] of V4_DENY) {
    const size = 2 ** (32 - bits);
    const start = v4ToInt(base);
    if (n >= start && n < start + size) return reason;
  }
  return undefined;
}

/** 16 bytes of an IPv6 address (zone id dropped, embedded dotted quad allowed). */
export function v6Bytes(ip: string): number[] {
  let text = ip.replace(/^\[|\]$/g, "").split("%")[0] ?? "";
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    tail.push(...dotted[1].split(".").map(Number));
    text = text.slice(0, -dotted[1].length) + "0:0";
  }
  const [head = "", rest] = text.split("::");
  const groups = (s: string): number[] => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  const h = groups(head);
  const r = rest === undefined ? [] : groups(rest);
  const words = [...h, ...new Array<number>(8 - h.length - r.length).fill(0), ...r];
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

function v6Reason(ip: string): string | undefined {
  const b = v6Bytes(ip);
  const at = (i: number): number => b[i] ?? 0;
  const prefixZero = (n: number): boolean => b.slice(0, n).every((x) => x === 0);
  const v4 = (from: number): string => [at(from), at(from + 1), at(from + 2), at(from + 3)].join(".");
  // Forms that carry an IPv4 address: judge the address they carry.
  if (prefixZero(10) && at(10) === 0xff && at(11) === 0xff) return v4Reason(v4(12)); // ::ffff:a.b.c.d
  if (at(0) === 0x00 && at(1) === 0x64 && at(2) === 0xff && at(3) === 0x9b && b.slice(4, 12).every((x) => x === 0))
    return v4Reason(v4(12)); // 64:ff9b::/96 NAT64
  if (at(0) === 0x20 && at(1) === 0x02) return v4Reason(v4(2)); // 2002::/16 6to4
  if (prefixZero(16)) return "unspecified";
  if (prefixZero(15) && at(15) === 1) return "loopback";
  if (prefixZero(12)) return "IPv4-compatible (deprecated)";
  if (at(0) === 0xff) return "multicast";
  if (at(0) === 0xfe && (at(1) & 0xc0) === 0x80) return "link-local";
  if ((at(0) & 0xfe) === 0xfc) return "unique-local";
  if ((at(0) & 0xe0) !== 0x20) return "reserved (outside global unicast 2000::/3)";
  if (at(0) === 0x20 && at(1) === 0x01 && at(2) === 0x0d && at(3) === 0xb8) return "documentation";
  if (at(0) === 0x20 && at(1) === 0x01 && at(2) < 0x02) return "IETF protocol assignments (Teredo, ORCHID, ...)";
  return undefined;
}

/** Why an address must not be contacted, or undefined when it is public. Non-IPs are refused. */
export function forbiddenReason(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, "");
  if (isIPv4(bare)) return v4Reason(bare);
  if (isIPv6(bare.split("%")[0] ?? "")) return v6Reason(bare);
  return "not an IP address";
}

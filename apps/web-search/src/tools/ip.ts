import { BlockList, isIPv4, isIPv6 } from "node:net";

/**
 * Address classification for the SSRF guard. IPv4 uses a deny-list of every
 * special-purpose range (RFC 6890 and friends); IPv6 is allowed only inside
 * global unicast 2000::/3, minus the reserved pieces of it, and any IPv6 form
 * that embeds an IPv4 address is judged by that IPv4 address.
 */
type Family = "ipv4" | "ipv6";

/** One BlockList per reason, asked in order, so an address gets the first (most specific) reason that holds. */
function reasons(family: Family, ranges: ReadonlyArray<readonly [string, number, string]>): ReadonlyArray<readonly [BlockList, string]> {
  const byReason = new Map<string, BlockList>();
  for (const [base, bits, reason] of ranges) {
    const list = byReason.get(reason) ?? new BlockList();
    list.addSubnet(base, bits, family);
    byReason.set(reason, list);
  }
  return [...byReason].map(([reason, list]) => [list, reason] as const);
}

function subnet(base: string, bits: number, family: Family): BlockList {
  const list = new BlockList();
  list.addSubnet(base, bits, family);
  return list;
}

const V4_DENY = reasons("ipv4", [
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
]);

// Checked before V6_DENY: an IPv4-compatible ::/96 address would otherwise hide inside it.
const V6_SPECIAL = reasons("ipv6", [
  ["::", 128, "unspecified"],
  ["::1", 128, "loopback"],
  ["::", 96, "IPv4-compatible (deprecated)"],
  ["ff00::", 8, "multicast"],
  ["fe80::", 10, "link-local"],
  ["fc00::", 7, "unique-local"],
]);
const GLOBAL_UNICAST = subnet("2000::", 3, "ipv6");
const V6_DENY = reasons("ipv6", [
  ["2001:db8::", 32, "documentation"],
  ["2001::", 23, "IETF protocol assignments (Teredo, ORCHID, ...)"],
]);

const MAPPED = subnet("::ffff:0:0", 96, "ipv6");
const NAT64 = subnet("64:ff9b::", 96, "ipv6");
const SIX_TO_FOUR = subnet("2002::", 16, "ipv6");

function firstReason(lists: ReadonlyArray<readonly [BlockList, string]>, ip: string, family: Family): string | undefined {
  return lists.find(([list]) => list.check(ip, family))?.[1];
}

/** 16 bytes of an IPv6 address (zone id already dropped, embedded dotted quad allowed). */
function v6Bytes(ip: string): number[] {
  let text = ip;
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

/** The IPv4 address carried at byte `from` of an IPv6 one (NAT64 and 6to4, which BlockList does not unwrap). */
function embeddedV4(ip: string, from: number): string {
  return v6Bytes(ip)
    .slice(from, from + 4)
    .join(".");
}

function v6Reason(ip: string): string | undefined {
  // BlockList matches ::ffff:a.b.c.d against IPv4 rules itself; the other IPv4-carrying forms are unwrapped here.
  if (MAPPED.check(ip, "ipv6")) return firstReason(V4_DENY, ip, "ipv6");
  if (NAT64.check(ip, "ipv6")) return firstReason(V4_DENY, embeddedV4(ip, 12), "ipv4");
  if (SIX_TO_FOUR.check(ip, "ipv6")) return firstReason(V4_DENY, embeddedV4(ip, 2), "ipv4");
  const special = firstReason(V6_SPECIAL, ip, "ipv6");
  if (special) return special;
  if (!GLOBAL_UNICAST.check(ip, "ipv6")) return "reserved (outside global unicast 2000::/3)";
  return firstReason(V6_DENY, ip, "ipv6");
}

/** Why an address must not be contacted, or undefined when it is public. Non-IPs are refused. */
export function forbiddenReason(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, "");
  if (isIPv4(bare)) return firstReason(V4_DENY, bare, "ipv4");
  // BlockList does not parse zone ids (fe80::1%eth0); the zone does not change the range.
  const unzoned = bare.split("%")[0] ?? "";
  if (isIPv6(unzoned)) return v6Reason(unzoned);
  return "not an IP address";
}

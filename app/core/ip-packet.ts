// IPv4 / IPv6 header peeking over a raw packet buffer. Hot-path helpers: no allocation, no
// DataView, no string parsing. Every function takes the buffer, the offset where the IP header
// starts and (where it reads beyond the fixed header) the number of valid bytes, and returns a
// sentinel (-1 or 0) instead of throwing when the packet is too short.
//
// Byte order: all multi-byte fields are network order (big-endian). IPv4 addresses are returned
// as unsigned 32-bit integers (198.19.0.1 → 0xc6130001).

/** IPv4 header offsets (from the start of the IP header). */
export const IPV4_MIN_HEADER = 20;
export const IPV4_PROTO_OFFSET = 9;
export const IPV4_SRC_OFFSET = 12;
export const IPV4_DST_OFFSET = 16;

/** IPv6 fixed header offsets. */
export const IPV6_HEADER = 40;
export const IPV6_NEXT_HEADER_OFFSET = 6;
export const IPV6_SRC_OFFSET = 8;
export const IPV6_DST_OFFSET = 24;

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

/** Reads a big-endian uint32 at `off`. Caller guarantees 4 bytes are there. */
export function readU32(buf: Uint8Array, off: number): number {
  return ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0;
}

/** Reads a big-endian uint16 at `off`. Caller guarantees 2 bytes are there. */
export function readU16(buf: Uint8Array, off: number): number {
  return (buf[off]! << 8) | buf[off + 1]!;
}

/**
 * The IP version of the packet at `off` (4 or 6), or 0 when there is no byte or the version nibble
 * is anything else. Also checks the fixed header fits in `len` bytes (len counts from `off`).
 */
export function ipVersion(buf: Uint8Array, len: number, off = 0): 0 | 4 | 6 {
  if (len < 1 || off + len > buf.length) return 0;
  const v = buf[off]! >> 4;
  if (v === 4) return len >= IPV4_MIN_HEADER && (buf[off]! & 0x0f) >= 5 ? 4 : 0;
  if (v === 6) return len >= IPV6_HEADER ? 6 : 0;
  return 0;
}

/** IPv4 source address as uint32, or -1 if `buf` at `off` is not an IPv4 packet. */
export function sourceAddressOf(buf: Uint8Array, off = 0, len = buf.length - off): number {
  if (ipVersion(buf, len, off) !== 4) return -1;
  return readU32(buf, off + IPV4_SRC_OFFSET);
}

/** IPv4 destination address as uint32, or -1 if `buf` at `off` is not an IPv4 packet. */
export function destinationAddressOf(buf: Uint8Array, off = 0, len = buf.length - off): number {
  if (ipVersion(buf, len, off) !== 4) return -1;
  return readU32(buf, off + IPV4_DST_OFFSET);
}

/** DSCP (the top 6 bits of IPv4 TOS / IPv6 traffic class), or -1 if not an IP packet. */
export function dscpOf(buf: Uint8Array, len: number, off = 0): number {
  const v = ipVersion(buf, len, off);
  if (v === 4) return buf[off + 1]! >> 2;
  if (v === 6) return ((buf[off]! & 0x0f) << 2) | (buf[off + 1]! >> 6);
  return -1;
}

/** IPv6 extension headers we skip to find the transport protocol (RFC 8200 §4). */
const V6_HOP_BY_HOP = 0;
const V6_ROUTING = 43;
const V6_FRAGMENT = 44;
const V6_DEST_OPTS = 60;
/** Bound on extension headers walked; real packets carry one or two, attackers may carry many. */
const V6_MAX_EXT_HEADERS = 8;

/**
 * Where the transport header is. Written into a caller-owned object (no allocation):
 * `proto` is the transport protocol number, `l4Offset` the absolute offset of its header, and
 * `fragment` says the packet is an IP fragment (first or later), so ports must not be trusted to
 * be present on every fragment. Returns false when the packet is not a parseable IPv4/IPv6 packet.
 */
export interface TransportLocation {
  proto: number;
  l4Offset: number;
  /** Non-first fragment: no transport header in this packet. */
  laterFragment: boolean;
  /** Any fragment (MF set or non-zero offset). */
  fragment: boolean;
}

export function newTransportLocation(): TransportLocation {
  return { proto: 0, l4Offset: 0, laterFragment: false, fragment: false };
}

export function locateTransport(buf: Uint8Array, len: number, off: number, out: TransportLocation): boolean {
  const v = ipVersion(buf, len, off);
  const end = off + len;
  if (v === 4) {
    const ihl = (buf[off]! & 0x0f) * 4;
    if (ihl > len) return false;
    const fragField = readU16(buf, off + 6);
    const fragOffset = fragField & 0x1fff;
    const moreFragments = (fragField & 0x2000) !== 0;
    out.proto = buf[off + IPV4_PROTO_OFFSET]!;
    out.l4Offset = off + ihl;
    out.laterFragment = fragOffset !== 0;
    out.fragment = fragOffset !== 0 || moreFragments;
    return true;
  }
  if (v !== 6) return false;
  let next = buf[off + IPV6_NEXT_HEADER_OFFSET]!;
  let p = off + IPV6_HEADER;
  out.laterFragment = false;
  out.fragment = false;
  for (let i = 0; i < V6_MAX_EXT_HEADERS; i++) {
    if (next === V6_HOP_BY_HOP || next === V6_ROUTING || next === V6_DEST_OPTS) {
      if (p + 2 > end) return false;
      const extLen = (buf[p + 1]! + 1) * 8;
      next = buf[p]!;
      p += extLen;
    } else if (next === V6_FRAGMENT) {
      if (p + 8 > end) return false;
      const fragField = readU16(buf, p + 2);
      out.fragment = true;
      out.laterFragment = fragField >> 3 !== 0;
      next = buf[p]!;
      p += 8;
    } else {
      break;
    }
  }
  if (p > end) return false;
  out.proto = next;
  out.l4Offset = p;
  return true;
}

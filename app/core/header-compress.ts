// Inner-header compression: the IPv4 + TCP headers of a tunnelled packet, 52 bytes for a Linux
// segment with timestamps, cross as 26 (IPv4 + UDP: 28 as 6). Every packet pays our encapsulation (6 bytes), QUIC's
// (~31), UDP, IPv4 and Ethernet on the path besides its own 52 bytes of headers: one 1368-byte
// segment costs 1499 bytes on the wire, so 2 x 100 Mbit/s carry at most ~182.5 Mbit/s of one TCP
// flow. What the inner headers repeat packet after packet (addresses, ports, TTL, TOS, protocol)
// goes once per flow into a context the peer stores; what it can recompute (version, lengths, the
// IPv4 checksum) does not cross at all. Saving 26 of 1499 bytes raises that ceiling to ~185.7.
//
// Compressed form (the encapsulation header carries FLAG_COMPRESSED, encap.ts):
//
//   0        2        4                                   18        20
//   +--------+--------+-----------------------------------+---------+-------------+---------+
//   | ctx    | IP ID  | TCP bytes 4-17: seq, ack, offset, | urgent  | TCP options | payload |
//   | + bits |        | flags, window, checksum           | (opt.)  | (see bits)  |         |
//   +--------+--------+-----------------------------------+---------+-------------+---------+
//
//   ctx + bits (u16): bits 0-13 the context ID; bit 14 set: the options began with the
//   timestamp prefix 01 01 08 0a (NOP, NOP, kind 8, length 10), which is left out; bit 15 set:
//   the urgent pointer was 0 and is left out.
//
//   UDP (the context's protocol says which form it is): ctx (u16, bits 14-15 zero), IP ID, the
//   UDP checksum, payload. The UDP length is rebuilt from the packet's.
//
// Exactness: only a packet whose headers the receiver rebuilds bit for bit is compressed (IPv4
// without options or fragmentation, a correct IPv4 checksum, TCP or UDP with a matching length).
// The TCP / UDP checksum crosses as it is, so it still covers the rebuilt addresses and ports end
// to end: a packet rebuilt from a wrong context fails it at the receiving host instead of reaching
// a socket (except UDP sent without a checksum, 0, which has no such guard anywhere).
//
// Contexts are defined over the reliable control stream (hcDefine, acknowledged by hcAck with the
// same template) and a sender uses one only once it is acknowledged, so a compressed packet never
// outruns its context; until then the flow's packets cross whole. A context ID is reused only
// after its flow has been idle for CONTEXT_IDLE_MS, far longer than any packet stays in flight
// (header-contexts.ts). Pure: no I/O, no allocation per packet.

import { IPV4_MIN_HEADER, PROTO_TCP, PROTO_UDP, readU16 } from './ip-packet.ts';

/** Context template: TOS, IPv4 byte 6 (flags), TTL, protocol, source, destination, ports. */
export const TEMPLATE_LEN = 16;
/** Context IDs are 14 bits. */
export const MAX_CONTEXTS = 1 << 14;
/** Bytes of the fixed compressed header (ctx, IP ID, TCP bytes 4-17). */
export const COMPRESSED_FIXED_LEN = 18;
/** Bytes a compressed header saves at most: IPv4 (20) + ports (4) + urgent (2) + TS prefix (4) - 4. */
export const MAX_SAVING = 26;

/** Shortest compressed packet: UDP's ctx, IP ID and checksum (the TCP form is 18 or more). */
export const COMPRESSED_MIN_LEN = 6;

const BIT_TS = 0x4000;
const BIT_URG0 = 0x8000;
const CTX_MASK = 0x3fff;
const IPV4_HEADER = IPV4_MIN_HEADER;
const TCP_HEADER = 20;
const UDP_HEADER = 8;

/** The IPv4 header checksum of buf[off, off+20) with its checksum field taken as 0. */
export function ipv4HeaderChecksum(buf: Uint8Array, off: number): number {
  let sum = 0;
  for (let i = 0; i < IPV4_HEADER; i += 2) {
    if (i === 10) continue;
    sum += readU16(buf, off + i);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * Fills `tpl` with the packet's context template and returns the length of its IPv4 + TCP (or UDP)
 * headers, or -1 when the packet is not one this codec rebuilds exactly.
 */
export function templateOf(buf: Uint8Array, off: number, len: number, tpl: Uint8Array): number {
  if (len < IPV4_HEADER + UDP_HEADER || off + len > buf.length || buf[off] !== 0x45) return -1;
  const proto = buf[off + 9] as number;
  if (proto !== PROTO_TCP && proto !== PROTO_UDP) return -1;
  if (readU16(buf, off + 2) !== len) return -1;
  if (((buf[off + 6] as number) & 0x3f) !== 0 || buf[off + 7] !== 0) return -1; // MF or a fragment offset
  if (ipv4HeaderChecksum(buf, off) !== readU16(buf, off + 10)) return -1;
  let hl = IPV4_HEADER + UDP_HEADER;
  if (proto === PROTO_UDP) {
    // The UDP length is rebuilt from the packet's: it must say the same.
    if (readU16(buf, off + IPV4_HEADER + 4) !== len - IPV4_HEADER) return -1;
  } else {
    if (len < IPV4_HEADER + TCP_HEADER) return -1;
    hl = IPV4_HEADER + ((buf[off + IPV4_HEADER + 12] as number) >> 4) * 4;
    if (hl < IPV4_HEADER + TCP_HEADER || hl > len) return -1;
  }
  tpl[0] = buf[off + 1] as number;
  tpl[1] = buf[off + 6] as number;
  tpl[2] = buf[off + 8] as number;
  tpl[3] = proto;
  for (let i = 0; i < 8; i++) tpl[4 + i] = buf[off + 12 + i] as number;
  for (let i = 0; i < 4; i++) tpl[12 + i] = buf[off + IPV4_HEADER + i] as number;
  return hl;
}

/** True when a template is one `decompress` can rebuild from (TCP or UDP, no fragment bits). */
export function validTemplate(tpl: Uint8Array): boolean {
  return (
    tpl.length === TEMPLATE_LEN &&
    (tpl[3] === PROTO_TCP || tpl[3] === PROTO_UDP) &&
    ((tpl[1] as number) & 0x3f) === 0
  );
}

const scratch = new Uint8Array(MAX_SAVING + 64);

/**
 * Compresses the packet buf[off, off+len) in place under context `ctx` (headers of length `hl`
 * from templateOf). The compressed packet ends where the original did and starts at
 * off + the returned saving (> 0).
 */
export function compressInPlace(buf: Uint8Array, off: number, hl: number, ctx: number): number {
  const t = off + IPV4_HEADER;
  if (buf[off + 9] === PROTO_UDP) {
    // ctx, IP ID, UDP checksum: 6 bytes where the headers took 28.
    const c = t + UDP_HEADER - 6;
    const csum0 = buf[t + 6] as number;
    const csum1 = buf[t + 7] as number;
    const id0 = buf[off + 4] as number;
    const id1 = buf[off + 5] as number;
    buf[c] = (ctx & CTX_MASK) >>> 8;
    buf[c + 1] = ctx & 0xff;
    buf[c + 2] = id0;
    buf[c + 3] = id1;
    buf[c + 4] = csum0;
    buf[c + 5] = csum1;
    return c - off;
  }
  const opts = hl - IPV4_HEADER - TCP_HEADER;
  const urg0 = buf[t + 18] === 0 && buf[t + 19] === 0;
  const ts = opts >= 4 && buf[t + 20] === 1 && buf[t + 21] === 1 && buf[t + 22] === 8 && buf[t + 23] === 10;
  const bits = (ctx & CTX_MASK) | (ts ? BIT_TS : 0) | (urg0 ? BIT_URG0 : 0);
  let n = 0;
  scratch[n++] = bits >>> 8;
  scratch[n++] = bits & 0xff;
  scratch[n++] = buf[off + 4] as number;
  scratch[n++] = buf[off + 5] as number;
  for (let i = 4; i < 18; i++) scratch[n++] = buf[t + i] as number;
  if (!urg0) {
    scratch[n++] = buf[t + 18] as number;
    scratch[n++] = buf[t + 19] as number;
  }
  for (let i = ts ? 4 : 0; i < opts; i++) scratch[n++] = buf[t + TCP_HEADER + i] as number;
  const saving = hl - n;
  for (let i = 0; i < n; i++) buf[off + saving + i] = scratch[i] as number;
  return saving;
}

/**
 * Rebuilds the packet compressed in src[off, off+len) into dst at dstOff with the template of
 * its context (`templates` at ctx * TEMPLATE_LEN). Returns the packet's length, or -1 when it is
 * malformed or does not fit in `cap` bytes. The caller checked the context is known (`contextOf`).
 * `src` and `dst` are distinct buffers. The compressed packet is copied once, its end at the
 * rebuilt packet's end (the payload lands in place), and the headers are then written over its
 * front; pass src as an exact view (off 0, len src.length) and no view is made per packet.
 */
export function decompress(
  src: Uint8Array,
  off: number,
  len: number,
  templates: Uint8Array,
  dst: Uint8Array,
  dstOff: number,
  cap: number,
): number {
  if (len < COMPRESSED_MIN_LEN || off + len > src.length) return -1;
  const bits = readU16(src, off);
  const tp = (bits & CTX_MASK) * TEMPLATE_LEN;
  if (templates[tp + 3] === PROTO_UDP) return decompressUdp(src, off, len, templates, tp, dst, dstOff, cap);
  if (len < COMPRESSED_FIXED_LEN) return -1;
  const urg0 = (bits & BIT_URG0) !== 0;
  const ts = (bits & BIT_TS) !== 0;
  const doff = (src[off + 12] as number) >> 4;
  const opts = doff * 4 - TCP_HEADER;
  if (opts < 0 || (ts && opts < 4)) return -1;
  const ch = COMPRESSED_FIXED_LEN + (urg0 ? 0 : 2) + opts - (ts ? 4 : 0);
  if (len < ch) return -1;
  const hl = IPV4_HEADER + TCP_HEADER + opts;
  const total = hl + len - ch;
  if (total > cap || total > 0xffff || dstOff + total > dst.length) return -1;
  copyAtEnd(src, off, len, dst, dstOff + total);
  writeIpv4(src, off, templates, tp, total, dst, dstOff);
  const t = dstOff + IPV4_HEADER;
  for (let i = 0; i < 4; i++) dst[t + i] = templates[tp + 12 + i] as number;
  for (let i = 4; i < 18; i++) dst[t + i] = src[off + i] as number;
  let p = off + COMPRESSED_FIXED_LEN;
  if (urg0) {
    dst[t + 18] = 0;
    dst[t + 19] = 0;
  } else {
    dst[t + 18] = src[p++] as number;
    dst[t + 19] = src[p++] as number;
  }
  let q = t + TCP_HEADER;
  if (ts) {
    dst[q++] = 1;
    dst[q++] = 1;
    dst[q++] = 8;
    dst[q++] = 10;
  }
  // The rest (options after the prefix, payload) is where copyAtEnd put it: src[p] is at dst[q].
  return total;
}

function decompressUdp(
  src: Uint8Array,
  off: number,
  len: number,
  templates: Uint8Array,
  tp: number,
  dst: Uint8Array,
  dstOff: number,
  cap: number,
): number {
  const total = IPV4_HEADER + UDP_HEADER + len - COMPRESSED_MIN_LEN;
  if (total > cap || total > 0xffff || dstOff + total > dst.length) return -1;
  copyAtEnd(src, off, len, dst, dstOff + total);
  writeIpv4(src, off, templates, tp, total, dst, dstOff);
  const u = dstOff + IPV4_HEADER;
  for (let i = 0; i < 4; i++) dst[u + i] = templates[tp + 12 + i] as number;
  dst[u + 4] = (total - IPV4_HEADER) >>> 8;
  dst[u + 5] = (total - IPV4_HEADER) & 0xff;
  dst[u + 6] = src[off + 4] as number;
  dst[u + 7] = src[off + 5] as number;
  return total; // the payload is where copyAtEnd put it
}

/** Copies src[off, off+len) into dst so that it ends at dstEnd (no view when src is exact). */
function copyAtEnd(src: Uint8Array, off: number, len: number, dst: Uint8Array, dstEnd: number): void {
  dst.set(off === 0 && len === src.length ? src : src.subarray(off, off + len), dstEnd - len);
}

/** The IPv4 header of a rebuilt packet: the template's fields, the IP ID from `src`, `total`. */
function writeIpv4(
  src: Uint8Array,
  off: number,
  templates: Uint8Array,
  tp: number,
  total: number,
  dst: Uint8Array,
  d: number,
): void {
  dst[d] = 0x45;
  dst[d + 1] = templates[tp] as number;
  dst[d + 2] = total >>> 8;
  dst[d + 3] = total & 0xff;
  dst[d + 4] = src[off + 2] as number;
  dst[d + 5] = src[off + 3] as number;
  dst[d + 6] = templates[tp + 1] as number;
  dst[d + 7] = 0;
  dst[d + 8] = templates[tp + 2] as number;
  dst[d + 9] = templates[tp + 3] as number;
  for (let i = 0; i < 8; i++) dst[d + 12 + i] = templates[tp + 4 + i] as number;
  const sum = ipv4HeaderChecksum(dst, d);
  dst[d + 10] = sum >>> 8;
  dst[d + 11] = sum & 0xff;
}

/** The context ID a compressed packet names (no checks). */
export function contextOf(src: Uint8Array, off: number): number {
  return readU16(src, off) & CTX_MASK;
}

// Encapsulation codec: one IP packet per QUIC DATAGRAM (RFC 9221), behind a small header
// (seed §8.2.2, ARCHITECTURE decision 2).
//
// Wire format, version 1 (all integers big-endian):
//
//   0        1        2                 6                 10
//   +--------+--------+-----------------+-----------------+---------------------------+
//   | ver=1  | flags  | flow ID (u32)   | sequence (u32)  | original IPv4/IPv6 packet |
//   +--------+--------+-----------------+-----------------+---------------------------+
//                      present iff       present iff
//                      FLAG_HAS_FLOW_ID  FLAG_HAS_SEQ
//
// Flags (bit 0 = least significant):
//   bit 0  FLAG_INTERACTIVE  sender classified the packet as interactive (priority hint)
//   bit 1  FLAG_REDUNDANT    this is one of several copies sent on different paths; the receiver
//                            keeps the first and drops the others by sequence number
//   bit 2  FLAG_HAS_FLOW_ID  4-byte flow ID follows the flags
//   bit 3  FLAG_HAS_SEQ      4-byte per-session sequence number follows (after the flow ID)
//   bit 4  FLAG_SPREAD       the sender spreads this packet's flow over several paths (aggregate
//                            mode, weighted or round-robin): the receiver may even out the paths'
//                            delays for it (delay-line.ts). Receivers that do not know it ignore it.
//   bit 5  FLAG_COMPRESSED   the payload is an IPv4 TCP or UDP packet whose headers are compressed under a
//                            context the receiver holds (header-compress.ts). Sent only to a peer
//                            that announced the "hc-v1" feature.
//   bits 6-7 reserved: senders write 0, receivers ignore them. A future change that adds bytes to
//   the header MUST bump the version byte, so ignoring unknown bits is always safe.
//
// The helper sends FLAG_HAS_SEQ on every packet and no flow ID (DATA_HEADER_LEN = 6 bytes, see
// dataHeaderFlags); the optional layout keeps the seed's 2-, 6- and 10-byte forms decodable.
//
// Zero-copy use on the send path: read the TUN packet into a buffer at offset HEADER_LEN
// (headroom), then `encodeHeaderBefore(buf, HEADER_LEN, hdr)` writes the header just in front of
// it and returns the datagram's start offset. No copy, no allocation.

import { COMPRESSED_MIN_LEN } from './header-compress.ts';
import { ipVersion, readU32 } from './ip-packet.ts';
import type { Decoded, FlowId } from './types.ts';

export const ENCAP_VERSION = 1;

export const FLAG_INTERACTIVE = 0x01;
export const FLAG_REDUNDANT = 0x02;
export const FLAG_HAS_FLOW_ID = 0x04;
export const FLAG_HAS_SEQ = 0x08;
export const FLAG_SPREAD = 0x10;
export const FLAG_COMPRESSED = 0x20;
/** Bits this version understands; the rest are ignored on decode and cleared on encode. */
export const KNOWN_FLAGS = 0x3f;

/** Full header length (version, flags, flow ID, sequence): the headroom a sender leaves. */
export const HEADER_LEN = 10;
/** The header the helper sends: version, flags, sequence. Its per-packet overhead. */
export const DATA_HEADER_LEN = 6;
/** Smallest header (version + flags, no optional fields). */
export const HEADER_MIN_LEN = 2;

/** Header fields given to the encoder. Flow ID / seq are written only if their flag bit is set. */
export interface EncapHeader {
  flags: number;
  flowId: FlowId | number;
  seq: number;
}

/**
 * A decoded header. Caller-owned and reusable (see `newDecodedHeader`). The payload is NOT
 * copied: it is `buf[payloadOffset, payloadOffset + payloadLength)`.
 */
export interface DecodedHeader {
  version: number;
  /** Known flag bits only (unknown bits masked off). */
  flags: number;
  /** 0 when FLAG_HAS_FLOW_ID is clear. */
  flowId: number;
  /** 0 when FLAG_HAS_SEQ is clear. */
  seq: number;
  payloadOffset: number;
  payloadLength: number;
  /** 4 or 6. */
  ipVersion: number;
}

export function newDecodedHeader(): DecodedHeader {
  return { version: 0, flags: 0, flowId: 0, seq: 0, payloadOffset: 0, payloadLength: 0, ipVersion: 0 };
}

/**
 * Flags of a data packet as the helper sends it: a sequence number (the receiver's reorder and
 * duplicate filter), and no flow ID. The receiver reads flows from the inner packet itself and
 * never used the ID; leaving it out is 4 bytes less per packet, +0.27 % of goodput at one
 * 1420-byte inner packet per datagram. Receivers of every version decode both forms.
 */
export function dataHeaderFlags(
  interactive: boolean,
  redundant: boolean,
  spread: boolean,
  compressed = false,
): number {
  return (
    FLAG_HAS_SEQ |
    (compressed ? FLAG_COMPRESSED : 0) |
    (interactive ? FLAG_INTERACTIVE : 0) |
    (redundant ? FLAG_REDUNDANT : 0) |
    (spread ? FLAG_SPREAD : 0)
  );
}

/** Header length implied by a flags byte. */
export function headerLength(flags: number): number {
  return HEADER_MIN_LEN + (flags & FLAG_HAS_FLOW_ID ? 4 : 0) + (flags & FLAG_HAS_SEQ ? 4 : 0);
}

function writeU32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v >>> 24;
  buf[off + 1] = v >>> 16;
  buf[off + 2] = v >>> 8;
  buf[off + 3] = v;
}

/**
 * Writes the header at `buf[offset]` and returns its length. Throws RangeError if it does not fit
 * (a caller bug: size buffers with HEADER_LEN of headroom).
 */
export function encodeHeaderInto(buf: Uint8Array, offset: number, hdr: EncapHeader): number {
  const flags = hdr.flags & KNOWN_FLAGS;
  const n = headerLength(flags);
  if (offset < 0 || offset + n > buf.length) throw new RangeError('encap: header does not fit in buffer');
  buf[offset] = ENCAP_VERSION;
  buf[offset + 1] = flags;
  let p = offset + 2;
  if (flags & FLAG_HAS_FLOW_ID) {
    writeU32(buf, p, hdr.flowId >>> 0);
    p += 4;
  }
  if (flags & FLAG_HAS_SEQ) writeU32(buf, p, hdr.seq >>> 0);
  return n;
}

/**
 * Writes the header so that it ends exactly at `payloadOffset` (the IP packet already sits there)
 * and returns the offset where the datagram starts. Throws RangeError without enough headroom.
 */
export function encodeHeaderBefore(buf: Uint8Array, payloadOffset: number, hdr: EncapHeader): number {
  const start = payloadOffset - headerLength(hdr.flags & KNOWN_FLAGS);
  if (start < 0) throw new RangeError('encap: not enough headroom before payload');
  encodeHeaderInto(buf, start, hdr);
  return start;
}

/**
 * Writes header + a copy of `ip[0, ipLen)` into `out` at `outOffset`; returns the datagram length.
 * One copy (TypedArray.set); allocates a subarray view only when ipLen < ip.length.
 */
export function encapsulateInto(
  out: Uint8Array,
  outOffset: number,
  ip: Uint8Array,
  ipLen: number,
  hdr: EncapHeader,
): number {
  const n = encodeHeaderInto(out, outOffset, hdr);
  if (outOffset + n + ipLen > out.length || ipLen > ip.length)
    throw new RangeError('encap: packet does not fit');
  out.set(ipLen === ip.length ? ip : ip.subarray(0, ipLen), outOffset + n);
  return n + ipLen;
}

/** Convenience (allocating) encoder for tests and cold paths. */
export function encapsulate(ip: Uint8Array, hdr: EncapHeader): Uint8Array {
  const out = new Uint8Array(headerLength(hdr.flags & KNOWN_FLAGS) + ip.length);
  encapsulateInto(out, 0, ip, ip.length, hdr);
  return out;
}

/** Why a datagram was rejected. 0 = accepted. Stable numbers: the helper counts drops by code. */
export const DecodeError = {
  ok: 0,
  tooShort: 1,
  badVersion: 2,
  notIp: 3,
} as const;
export type DecodeErrorCode = (typeof DecodeError)[keyof typeof DecodeError];

const ERROR_TEXT: readonly string[] = [
  'ok',
  'datagram shorter than its encapsulation header',
  'unsupported encapsulation version',
  'payload is not an IPv4/IPv6 packet',
];

export function decodeErrorText(code: number): string {
  return ERROR_TEXT[code] ?? `unknown error ${code}`;
}

/**
 * No-allocation decoder. Reads the datagram `buf[offset, offset + len)`, fills `out`, returns a
 * DecodeError code (0 = ok). Never throws; on error `out` is left partially written.
 */
export function decodeHeaderInto(
  buf: Uint8Array,
  len: number,
  out: DecodedHeader,
  offset = 0,
): DecodeErrorCode {
  if (len < HEADER_MIN_LEN || offset < 0 || offset + len > buf.length) return DecodeError.tooShort;
  const version = buf[offset]!;
  if (version !== ENCAP_VERSION) return DecodeError.badVersion;
  const flags = buf[offset + 1]! & KNOWN_FLAGS;
  const hl = headerLength(flags);
  if (len < hl) return DecodeError.tooShort;
  let p = offset + 2;
  let flowId = 0;
  let seq = 0;
  if (flags & FLAG_HAS_FLOW_ID) {
    flowId = readU32(buf, p);
    p += 4;
  }
  if (flags & FLAG_HAS_SEQ) {
    seq = readU32(buf, p);
    p += 4;
  }
  const v = flags & FLAG_COMPRESSED ? (len - hl >= COMPRESSED_MIN_LEN ? 4 : 0) : ipVersion(buf, len - hl, p);
  if (v === 0) return DecodeError.notIp;
  out.version = version;
  out.flags = flags;
  out.flowId = flowId;
  out.seq = seq;
  out.payloadOffset = p;
  out.payloadLength = len - hl;
  out.ipVersion = v;
  return DecodeError.ok;
}

/** Convenient (allocating) decoder: a fresh result object, still no payload copy. */
export function decodeHeader(buf: Uint8Array, len: number = buf.length, offset = 0): Decoded<DecodedHeader> {
  const out = newDecodedHeader();
  const code = decodeHeaderInto(buf, len, out, offset);
  return code === DecodeError.ok ? { ok: true, value: out } : { ok: false, error: decodeErrorText(code) };
}

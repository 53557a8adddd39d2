// Parses long headers and checks the packet protection of a client's QUIC v1 Initial before
// quiche sees it (RFC 9001 §5).
//
// Initial keys are derived from the packet's own Destination CID with a public salt, so anyone can
// build a valid Initial: this is not authentication of the peer. What it does prove is that the
// sender ran a QUIC stack: random bytes shaped like an Initial (the bulk of a handshake flood) fail,
// and are then dropped with no Retry sent (no echo loop, no work for the rate limiter) and no
// quiche Connection built (whose native TLS state only the garbage collector frees: tens of
// thousands of them grew the helper's RSS by ~80 MiB).
//
// Two stages, cheapest first. (1) Header protection: derive the hp key and unmask the first byte;
// its reserved bits must be 0 (RFC 9000 §17.2), which rejects 3 in 4 random packets. (2) The
// AES-GCM tag over the rest (GHASH only: nothing is decrypted). Both in initial-crypto.ts, on
// preallocated scratch: a flood packet makes no garbage at all (node:crypto's Hmac and Decipher
// objects did, and the young-generation heap grew under the flood). The header parse allocates
// nothing either: the listener passes in one reused LongHeader. `buf` is never modified (quiche
// still needs it as it came).
import { aes128EncryptBlock, aes128GcmTagValid, hmacSha256 } from './initial-crypto.ts';

/** QUIC v1 initial_salt (RFC 9001 §5.2). */
const INITIAL_SALT_V1 = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');
export const QUIC_V1 = 1;
/** Long-header type bits of an Initial in v1. */
export const LONG_TYPE_INITIAL = 0;
const TAG_LEN = 16;
const SAMPLE_LEN = 16;
/** Header protection samples 16 bytes starting 4 bytes after the packet number's start. */
const SAMPLE_SKIP = 4;
/** Long-header reserved bits, which must be 0 once header protection is removed. */
const RESERVED_BITS = 0x0c;

/** TLS 1.3 HkdfLabel with an empty context, followed by HKDF-Expand's counter byte 0x01 (RFC 8446 §7.1, RFC 5869). */
function expandInfo(label: string, len: number): Uint8Array {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const out = new Uint8Array(2 + 1 + full.length + 1 + 1);
  out[0] = len >> 8;
  out[1] = len & 0xff;
  out[2] = full.length;
  out.set(full, 3);
  out[3 + full.length] = 0; // context length
  out[4 + full.length] = 1; // T(1): every output here fits one SHA-256 block
  return out;
}

const CLIENT_IN = expandInfo('client in', 32);
const QUIC_KEY = expandInfo('quic key', 16);
const QUIC_IV = expandInfo('quic iv', 12);
const QUIC_HP = expandInfo('quic hp', 16);

// Scratch, reused by every call (the listener runs on one thread).
const SECRET = new Uint8Array(32);
const OKM = new Uint8Array(32);
const KEY = new Uint8Array(32);
const DCID = new Uint8Array(20);
/** DCID_VIEW[n] = the first n bytes of DCID (views made once: a subarray per packet is garbage). */
const DCID_VIEW = Array.from({ length: 21 }, (_, n) => DCID.subarray(0, n));
const MASK = new Uint8Array(16);
const AAD = new Uint8Array(1500);

/**
 * The fields of a long-header packet, as offsets into the packet (no copies). Token and packet
 * number fields are set only for a v1 Initial; `end` is 0 otherwise.
 */
export interface LongHeader {
  version: number;
  /** Long packet type bits (0 = Initial in v1). */
  type: number;
  dcidOff: number;
  dcidLen: number;
  scidOff: number;
  scidLen: number;
  tokenOff: number;
  tokenLen: number;
  /** Where the protected packet number starts, and where this packet ends in the datagram. */
  pnOff: number;
  end: number;
}

export function newLongHeader(): LongHeader {
  return {
    version: 0,
    type: 0,
    dcidOff: 0,
    dcidLen: 0,
    scidOff: 0,
    scidLen: 0,
    tokenOff: 0,
    tokenLen: 0,
    pnOff: 0,
    end: 0,
  };
}

/** QUIC variable-length integer at `off` (value; its size is 1 << (first byte >> 6)), or -1 past `end`. */
function varint(buf: Uint8Array, off: number, end: number): number {
  if (off >= end) return -1;
  const first = buf[off] ?? 0;
  const n = 1 << (first >> 6);
  if (off + n > end) return -1;
  let v = first & 0x3f;
  for (let i = 1; i < n; i++) v = v * 256 + (buf[off + i] ?? 0);
  return v;
}
const varintSize = (buf: Uint8Array, off: number): number => 1 << ((buf[off] ?? 0) >> 6);

/**
 * Parses the long header at the start of `buf` into `h` (reused; nothing is allocated) without
 * quiche, whose Header is native memory left to the GC. false if it is not a well-formed long
 * header; for a v1 Initial, also if its token and Length fields do not fit. Never throws.
 */
export function parseLongHeader(buf: Uint8Array, len: number, h: LongHeader): boolean {
  const n = Math.min(len, buf.byteLength);
  const first = buf[0] ?? 0;
  if (n < 7 || (first & 0x80) === 0) return false;
  h.version = (((buf[1] ?? 0) << 24) | ((buf[2] ?? 0) << 16) | ((buf[3] ?? 0) << 8) | (buf[4] ?? 0)) >>> 0;
  h.type = (first >> 4) & 0x03;
  let o = 5;
  h.dcidLen = buf[o++] ?? 255;
  h.dcidOff = o;
  if (h.dcidLen > 20 || o + h.dcidLen >= n) return false;
  o += h.dcidLen;
  h.scidLen = buf[o++] ?? 255;
  h.scidOff = o;
  if (h.scidLen > 20 || o + h.scidLen > n) return false;
  o += h.scidLen;
  h.tokenOff = o;
  h.tokenLen = 0;
  h.pnOff = 0;
  h.end = 0;
  if (h.version !== QUIC_V1 || h.type !== LONG_TYPE_INITIAL) return true;
  const tokenLen = varint(buf, o, n);
  if (tokenLen < 0) return false;
  o += varintSize(buf, o);
  if (o + tokenLen > n) return false;
  h.tokenOff = o;
  h.tokenLen = tokenLen;
  o += tokenLen;
  const length = varint(buf, o, n);
  if (length < 0) return false;
  h.pnOff = o + varintSize(buf, o);
  h.end = h.pnOff + length;
  return h.end <= n;
}

/**
 * True if `h` (parseLongHeader of the same `buf`) is a QUIC v1 Initial whose header protection
 * and AEAD tag verify under the client Initial keys of its Destination CID. False for anything
 * else (other versions and types, random payload). Never throws.
 */
export function initialIsAuthentic(buf: Uint8Array, h: LongHeader): boolean {
  if (h.version !== QUIC_V1 || h.type !== LONG_TYPE_INITIAL || h.end === 0) return false;
  try {
    return check(buf, h);
  } catch {
    return false;
  }
}

/** parseLongHeader + initialIsAuthentic. */
export function isAuthenticInitial(buf: Uint8Array, len: number): boolean {
  const h = newLongHeader();
  return parseLongHeader(buf, len, h) && initialIsAuthentic(buf, h);
}

function check(buf: Uint8Array, h: LongHeader): boolean {
  const { pnOff, end } = h;
  if (pnOff + SAMPLE_SKIP + SAMPLE_LEN > end) return false;
  // initial_secret = HKDF-Extract(salt, dcid); client_initial_secret = Expand-Label(.., "client in")
  for (let i = 0; i < h.dcidLen; i++) DCID[i] = buf[h.dcidOff + i] ?? 0;
  hmacSha256(INITIAL_SALT_V1, DCID_VIEW[h.dcidLen] ?? DCID, null, SECRET);
  hmacSha256(SECRET, CLIENT_IN, null, SECRET);
  hmacSha256(SECRET, QUIC_HP, null, OKM);
  aes128EncryptBlock(OKM, buf, pnOff + SAMPLE_SKIP, MASK);
  const first = (buf[0] ?? 0) ^ ((MASK[0] ?? 0) & 0x0f);
  if ((first & RESERVED_BITS) !== 0) return false;
  const pnLen = (first & 0x03) + 1;
  const headLen = pnOff + pnLen;
  if (headLen + TAG_LEN > end || headLen > AAD.byteLength) return false;
  // AAD: the header with protection removed.
  for (let i = 0; i < headLen; i++) AAD[i] = buf[i] ?? 0;
  AAD[0] = first;
  for (let i = 0; i < pnLen; i++) AAD[pnOff + i] = (AAD[pnOff + i] ?? 0) ^ (MASK[1 + i] ?? 0);
  hmacSha256(SECRET, QUIC_KEY, null, KEY);
  hmacSha256(SECRET, QUIC_IV, null, OKM);
  // nonce = iv XOR packet number; the first packets of a connection have small numbers, so the
  // truncated number is the full one.
  for (let i = 0; i < pnLen; i++) {
    const j = 12 - pnLen + i;
    OKM[j] = (OKM[j] ?? 0) ^ (AAD[pnOff + i] ?? 0);
  }
  return aes128GcmTagValid(KEY, OKM, AAD, headLen, buf, headLen, end - TAG_LEN - headLen, buf, end - TAG_LEN);
}

// Checks the packet protection of a client's QUIC v1 Initial before quiche sees it (RFC 9001 §5).
//
// Initial keys are derived from the packet's own Destination CID with a public salt, so anyone can
// build a valid Initial: this is not authentication of the peer. What it does prove is that the
// sender ran a QUIC stack: random bytes shaped like an Initial (the bulk of a handshake flood) fail
// the AEAD tag, and are then dropped with no Retry sent (no echo loop, no work for the token
// bucket) and no quiche Connection built (whose native TLS state is freed only when the JS garbage
// collector finalizes it, so tens of thousands of them grew the helper's RSS by ~80 MiB).
//
// Cost: one HKDF, three HMACs, one AES block and one AES-GCM pass over ~1.2 KB: tens of
// microseconds, paid only by long-header packets that match no connection. `buf` is not modified.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';

/** QUIC v1 initial_salt (RFC 9001 §5.2). */
const INITIAL_SALT_V1 = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');
const VERSION_1 = 1;
const TAG_LEN = 16;
const SAMPLE_LEN = 16;
/** Header protection samples 16 bytes starting 4 bytes after the packet number's start. */
const SAMPLE_SKIP = 4;

/** TLS 1.3 HkdfLabel with an empty context (RFC 8446 §7.1). */
function hkdfLabel(label: string, len: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const out = Buffer.alloc(2 + 1 + full.length + 1);
  out.writeUInt16BE(len, 0);
  out[2] = full.length;
  full.copy(out, 3);
  out[3 + full.length] = 0;
  return out;
}

const CLIENT_IN = hkdfLabel('client in', 32);
const QUIC_KEY = hkdfLabel('quic key', 16);
const QUIC_IV = hkdfLabel('quic iv', 12);
const QUIC_HP = hkdfLabel('quic hp', 16);
const ONE = Buffer.from([1]);

/** HKDF-Expand for outputs of at most one SHA-256 block: T(1) = HMAC(prk, info | 0x01). */
function expand1(prk: Uint8Array, info: Buffer, len: number): Buffer {
  return createHmac('sha256', prk).update(info).update(ONE).digest().subarray(0, len);
}

/** QUIC variable-length integer at `off`: [value, bytes] or null if it runs past `end`. */
function varint(buf: Uint8Array, off: number, end: number): [number, number] | null {
  if (off >= end) return null;
  const first = buf[off] ?? 0;
  const n = 1 << (first >> 6);
  if (off + n > end) return null;
  let v = first & 0x3f;
  for (let i = 1; i < n; i++) v = v * 256 + (buf[off + i] ?? 0);
  return [v, n];
}

/**
 * True if the first packet of this datagram is a QUIC v1 Initial whose header protection and AEAD
 * tag verify under the client Initial keys of its Destination CID. False for anything else
 * (other versions, truncated, random payload). Never throws.
 */
export function initialIsAuthentic(buf: Uint8Array, len: number): boolean {
  try {
    return check(buf, Math.min(len, buf.byteLength));
  } catch {
    return false;
  }
}

function check(buf: Uint8Array, len: number): boolean {
  if (len < 7 || ((buf[0] ?? 0) & 0xf0) !== 0xc0) return false; // long header, fixed bit, type Initial
  const version =
    (((buf[1] ?? 0) << 24) | ((buf[2] ?? 0) << 16) | ((buf[3] ?? 0) << 8) | (buf[4] ?? 0)) >>> 0;
  if (version !== VERSION_1) return false;
  let o = 5;
  const dcidLen = buf[o++] ?? 255;
  if (dcidLen > 20 || o + dcidLen > len) return false;
  const dcid = buf.subarray(o, o + dcidLen);
  o += dcidLen;
  const scidLen = buf[o++] ?? 255;
  if (scidLen > 20 || o + scidLen > len) return false;
  o += scidLen;
  const tokenLen = varint(buf, o, len);
  if (tokenLen === null) return false;
  o += tokenLen[1] + tokenLen[0];
  const length = varint(buf, o, len);
  if (length === null) return false;
  const pnOff = o + length[1];
  const end = pnOff + length[0];
  if (end > len || pnOff + SAMPLE_SKIP + SAMPLE_LEN > end) return false;

  const clientSecret = new Uint8Array(hkdfSync('sha256', dcid, INITIAL_SALT_V1, CLIENT_IN, 32));
  const key = expand1(clientSecret, QUIC_KEY, 16);
  const iv = expand1(clientSecret, QUIC_IV, 12);
  const hp = expand1(clientSecret, QUIC_HP, 16);

  const ecb = createCipheriv('aes-128-ecb', hp, null);
  const mask = ecb.update(buf.subarray(pnOff + SAMPLE_SKIP, pnOff + SAMPLE_SKIP + SAMPLE_LEN));
  const first = (buf[0] ?? 0) ^ ((mask[0] ?? 0) & 0x0f);
  const pnLen = (first & 0x03) + 1;
  if (pnOff + pnLen + TAG_LEN > end) return false;
  // AAD: the header with protection removed (a copy: quiche still needs `buf` as it came).
  const aad = Buffer.from(buf.subarray(0, pnOff + pnLen));
  aad[0] = first;
  // The first packets of a connection have small numbers: the truncated number is the full one.
  const nonce = Buffer.from(iv);
  for (let i = 0; i < pnLen; i++) {
    const b = (aad[pnOff + i] ?? 0) ^ (mask[1 + i] ?? 0);
    aad[pnOff + i] = b;
    const j = nonce.length - pnLen + i;
    nonce[j] = (nonce[j] ?? 0) ^ b;
  }
  const gcm = createDecipheriv('aes-128-gcm', key, nonce, { authTagLength: TAG_LEN });
  gcm.setAAD(aad);
  gcm.setAuthTag(buf.subarray(end - TAG_LEN, end));
  gcm.update(buf.subarray(pnOff + pnLen, end - TAG_LEN));
  gcm.final(); // throws on a bad tag
  return true;
}

// Stateless Retry tokens (RFC 9000 §8.1.2). The server answers a tokenless Initial with a Retry
// carrying this token and keeps NO state; only a client that really receives at its claimed address
// can come back with it. The token binds the client's address and port, the client's original
// DCID, the Retry SCID we chose, and an expiry on the listener's clock.
//
// Layout: version(1) | expiry ms (6, BE) | odcid length (1) | odcid | tag (16)
// tag = HMAC-SHA256(secret, version|expiry|odcid|retryScid|host|port)[0..16]
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { HostPort } from './types.ts';

const TOKEN_VERSION = 1;
const TAG_LEN = 16;
/** RFC 9000 caps connection IDs at 20 bytes. */
const MAX_CID = 20;
/** 10 s: a real client answers a Retry within one RTT; a longer life only helps replays. */
export const RETRY_TOKEN_LIFETIME_MS = 10_000;

function tag(secret: Uint8Array, head: Uint8Array, retryScid: Uint8Array, addr: HostPort): Buffer {
  const port = Buffer.alloc(2);
  port.writeUInt16BE(addr.port & 0xffff);
  return createHmac('sha256', secret)
    .update(head)
    .update(retryScid)
    .update(addr.host)
    .update(port)
    .digest()
    .subarray(0, TAG_LEN);
}

export function mintRetryToken(
  secret: Uint8Array,
  addr: HostPort,
  odcid: Uint8Array,
  retryScid: Uint8Array,
  nowMs: number,
): Uint8Array {
  const head = Buffer.alloc(8 + odcid.byteLength);
  head[0] = TOKEN_VERSION;
  head.writeUIntBE(Math.max(0, Math.floor(nowMs + RETRY_TOKEN_LIFETIME_MS)), 1, 6);
  head[7] = odcid.byteLength;
  head.set(odcid, 8);
  return new Uint8Array(Buffer.concat([head, tag(secret, head, retryScid, addr)]));
}

/** The original DCID if the token is ours, unexpired, and bound to this address and DCID; else null. */
export function checkRetryToken(
  secret: Uint8Array,
  token: Uint8Array,
  addr: HostPort,
  retryScid: Uint8Array,
  nowMs: number,
): Uint8Array | null {
  if (token.byteLength < 8 + TAG_LEN || token[0] !== TOKEN_VERSION) return null;
  const t = Buffer.from(token.buffer, token.byteOffset, token.byteLength);
  const odcidLen = t[7] ?? 255;
  if (odcidLen > MAX_CID || t.byteLength !== 8 + odcidLen + TAG_LEN) return null;
  const head = t.subarray(0, 8 + odcidLen);
  const expected = tag(secret, head, retryScid, addr);
  if (!timingSafeEqual(expected, t.subarray(8 + odcidLen))) return null;
  if (nowMs > t.readUIntBE(1, 6)) return null;
  return new Uint8Array(t.subarray(8, 8 + odcidLen));
}

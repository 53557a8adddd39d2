// Connection IDs: random generation, stateless-reset tokens, and the map key used for routing.
import { createHmac, randomBytes } from 'node:crypto';
import { SCID_LEN } from './config.ts';

export function randomCid(): Uint8Array {
  return new Uint8Array(randomBytes(SCID_LEN));
}

/** The 128-bit reset token quiche wants for a new CID, derived so we need not store it. */
export function resetTokenFor(secret: Uint8Array, cid: Uint8Array): bigint {
  const mac = createHmac('sha256', secret).update('reset').update(cid).digest();
  return mac.readBigUInt64BE(0) * 2n ** 64n + mac.readBigUInt64BE(8);
}

/** Map key of a CID: its bytes as a latin1 string (1:1, no hashing, no collisions). */
export function cidKey(buf: Uint8Array, off = 0, len: number = buf.byteLength - off): string {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return b.toString('latin1', off, off + len);
}

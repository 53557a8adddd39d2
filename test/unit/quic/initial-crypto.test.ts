// The allocation-free HMAC-SHA256 and AES-128 block of the Initial check agree with node:crypto.
import assert from 'node:assert/strict';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { aes128EncryptBlock, hmacSha256 } from '../../../app/helper/quic/initial-crypto.ts';

describe('initial-crypto', () => {
  test('HMAC-SHA256 matches node:crypto for every key and message length it takes', () => {
    const out = new Uint8Array(32);
    for (let keyLen = 0; keyLen <= 64; keyLen += 4) {
      for (let aLen = 0; aLen <= 55; aLen += 5) {
        const bLen = Math.min(55 - aLen, 3);
        const key = randomBytes(keyLen);
        const a = randomBytes(aLen);
        const b = randomBytes(bLen);
        hmacSha256(key, a, b, out);
        const want = createHmac('sha256', key).update(a).update(b).digest();
        assert.deepEqual(Buffer.from(out), want, `key ${keyLen} msg ${aLen}+${bLen}`);
      }
    }
    // RFC 4231 test case 2
    hmacSha256(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?'), null, out);
    assert.equal(
      Buffer.from(out).toString('hex'),
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    assert.throws(() => hmacSha256(randomBytes(65), randomBytes(1), null, out), RangeError);
    assert.throws(() => hmacSha256(randomBytes(16), randomBytes(56), null, out), RangeError);
  });

  test('AES-128 block encryption matches node:crypto (and FIPS 197 C.1)', () => {
    const out = new Uint8Array(16);
    aes128EncryptBlock(
      Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'),
      Buffer.from('00112233445566778899aabbccddeeff', 'hex'),
      0,
      out,
    );
    assert.equal(Buffer.from(out).toString('hex'), '69c4e0d86a7b0430d8cdb78070b4c55a');
    for (let i = 0; i < 200; i++) {
      const key = randomBytes(16);
      const input = randomBytes(40);
      const off = i % 24;
      aes128EncryptBlock(key, input, off, out);
      const want = createCipheriv('aes-128-ecb', key, null).update(input.subarray(off, off + 16));
      assert.deepEqual(Buffer.from(out), want);
    }
  });
});

describe('initial-crypto GCM tag', () => {
  test('accepts the tag node:crypto makes, rejects any flipped bit', async () => {
    const { createCipheriv } = await import('node:crypto');
    const { aes128GcmTagValid } = await import('../../../app/helper/quic/initial-crypto.ts');
    for (const [aadLen, ctLen] of [
      [0, 0],
      [1, 1],
      [16, 16],
      [17, 33],
      [45, 1150],
      [1100, 64],
    ] as const) {
      const key = randomBytes(16);
      const nonce = randomBytes(12);
      const aad = randomBytes(aadLen);
      const pt = randomBytes(ctLen);
      const c = createCipheriv('aes-128-gcm', key, nonce, { authTagLength: 16 });
      c.setAAD(aad);
      const ct = Buffer.concat([Buffer.alloc(3), c.update(pt), c.final()]);
      const tag = Buffer.concat([Buffer.alloc(5), c.getAuthTag()]);
      assert.equal(
        aes128GcmTagValid(key, nonce, aad, aadLen, ct, 3, ctLen, tag, 5),
        true,
        `${aadLen}/${ctLen}`,
      );
      const badTag = Buffer.from(tag);
      badTag[5 + (ctLen % 16)] = (badTag[5 + (ctLen % 16)] ?? 0) ^ 1;
      assert.equal(aes128GcmTagValid(key, nonce, aad, aadLen, ct, 3, ctLen, badTag, 5), false);
      if (ctLen > 0) {
        const badCt = Buffer.from(ct);
        badCt[3 + ctLen - 1] = (badCt[3 + ctLen - 1] ?? 0) ^ 0x80;
        assert.equal(aes128GcmTagValid(key, nonce, aad, aadLen, badCt, 3, ctLen, tag, 5), false);
      }
      if (aadLen > 0) {
        const badAad = Buffer.from(aad);
        badAad[0] = (badAad[0] ?? 0) ^ 4;
        assert.equal(aes128GcmTagValid(key, nonce, badAad, aadLen, ct, 3, ctLen, tag, 5), false);
      }
    }
  });
});

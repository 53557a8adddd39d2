import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as fc from 'fast-check';
import type { NodeId } from '../../../app/core/types.ts';
import {
  generateIdentity,
  KEY_FILE,
  loadIdentity,
  NODE_ID_LENGTH,
  nodeIdFromCertDer,
  parseNodeId,
  pemToDer,
  saveIdentity,
  verifyPeerChain,
} from '../../../app/helper/identity/index.ts';

describe('identity', () => {
  test('generates Ed25519 and P-256 identities whose NodeId matches the certificate', async () => {
    for (const algorithm of ['ed25519', 'p256'] as const) {
      const id = await generateIdentity({ algorithm });
      assert.equal(id.nodeId.length, NODE_ID_LENGTH);
      assert.ok(parseNodeId(id.nodeId).ok);
      const fromCert = nodeIdFromCertDer(id.certDer);
      assert.deepEqual(fromCert, { ok: true, value: id.nodeId });
      const cert = new X509Certificate(id.certDer);
      assert.match(cert.subject, new RegExp(`CN=${id.nodeId}`));
      assert.equal(cert.publicKey.asymmetricKeyType, algorithm === 'ed25519' ? 'ed25519' : 'ec');
      assert.deepEqual(pemToDer(id.certPem, 'CERTIFICATE'), id.certDer);
    }
  });

  test('two identities have different NodeIds', async () => {
    const [a, b] = await Promise.all([generateIdentity(), generateIdentity()]);
    assert.notEqual(a.nodeId, b.nodeId);
  });

  test('parseNodeId rejects malformed ids', () => {
    for (const bad of [
      '',
      'qe1',
      `qe1${'a'.repeat(31)}`,
      `qe1${'A'.repeat(32)}`,
      `qe2${'a'.repeat(32)}`,
      `qe1${'1'.repeat(32)}`,
    ]) {
      assert.equal(parseNodeId(bad).ok, false, bad);
    }
  });

  test('verifyPeerChain accepts the expected NodeId (string, set, predicate)', async () => {
    const id = await generateIdentity();
    assert.deepEqual(verifyPeerChain([id.certDer], id.nodeId), { ok: true, nodeId: id.nodeId });
    assert.equal(verifyPeerChain([id.certDer], new Set([id.nodeId])).ok, true);
    assert.equal(verifyPeerChain([id.certDer], (n) => n === id.nodeId).ok, true);
  });

  test('verifyPeerChain rejects every failure path without throwing', async () => {
    const id = await generateIdentity();
    const other = await generateIdentity();
    const reasons = [
      verifyPeerChain(null, id.nodeId),
      verifyPeerChain([], id.nodeId),
      verifyPeerChain([new Uint8Array(0)], id.nodeId),
      verifyPeerChain([new Uint8Array([0x30, 0x03, 1, 2, 3])], id.nodeId),
      verifyPeerChain([id.certDer], other.nodeId),
      verifyPeerChain([id.certDer], new Set<NodeId>()),
      verifyPeerChain([id.certDer], () => {
        throw new Error('boom');
      }),
      // expired / not yet valid
      verifyPeerChain([id.certDer], id.nodeId, Date.now() + 60 * 366 * 86_400_000),
      verifyPeerChain([id.certDer], id.nodeId, Date.now() - 30 * 86_400_000),
    ];
    for (const r of reasons) assert.equal(r.ok, false, JSON.stringify(r));
  });

  test('verifyPeerChain rejects a certificate whose self-signature is broken', async () => {
    const id = await generateIdentity();
    const bad = new Uint8Array(id.certDer);
    bad[bad.length - 5] = (bad[bad.length - 5] ?? 0) ^ 0xff; // inside the signature BIT STRING
    const r = verifyPeerChain([bad], id.nodeId);
    assert.equal(r.ok, false);
  });

  test('verifyPeerChain rejects an expired certificate (generated already expired)', async () => {
    const id = await generateIdentity({ nowMs: Date.now() - 10 * 86_400_000, validDays: 1 });
    const r = verifyPeerChain([id.certDer], id.nodeId);
    assert.deepEqual(r, { ok: false, reason: 'certificate expired' });
  });

  test('verifyPeerChain never throws on random bytes (property)', async () => {
    const id = await generateIdentity();
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 3 }), (chain) => {
        const r = verifyPeerChain(chain, id.nodeId);
        assert.equal(r.ok, false);
      }),
      { numRuns: 500, seed: 42 },
    );
    // and on mutations of a real certificate
    fc.assert(
      fc.property(fc.nat(id.certDer.length - 1), fc.integer({ min: 1, max: 255 }), (pos, x) => {
        const m = new Uint8Array(id.certDer);
        m[pos] = (m[pos] ?? 0) ^ x;
        const r = verifyPeerChain([m], id.nodeId);
        // A flipped byte can only ever be accepted if it leaves the DER meaning intact; it must not throw.
        assert.equal(typeof r.ok, 'boolean');
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  test('save/load round-trips with key mode 0600 and refuses loose modes and mismatches', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qe-id-'));
    try {
      const id = await generateIdentity();
      await saveIdentity(dir, id);
      const st = await stat(join(dir, KEY_FILE));
      assert.equal(st.mode & 0o777, 0o600);
      const loaded = await loadIdentity(dir);
      assert.ok(loaded.ok);
      assert.equal(loaded.value.nodeId, id.nodeId);
      assert.equal(loaded.value.keyPem, id.keyPem);

      await chmod(join(dir, KEY_FILE), 0o644);
      assert.equal((await loadIdentity(dir)).ok, false);
      await chmod(join(dir, KEY_FILE), 0o600);

      const { privateKey } = generateKeyPairSync('ed25519');
      await writeFile(join(dir, KEY_FILE), privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, {
        mode: 0o600,
      });
      const mismatch = await loadIdentity(dir);
      assert.equal(mismatch.ok, false);

      assert.equal((await loadIdentity(join(dir, 'missing'))).ok, false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

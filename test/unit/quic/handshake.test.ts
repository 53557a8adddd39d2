import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateIdentity } from '../../../app/helper/identity/index.ts';
import { identities, makePair } from './harness.ts';

describe('quic handshake and NodeId check', () => {
  for (const retry of [true, false]) {
    test(`handshake completes and both sides see the other's NodeId (retry=${retry})`, async () => {
      const [a, b] = await identities();
      if (!a || !b) throw new Error('identities');
      let clientSawEstablished = 0;
      const p = makePair(
        { identity: a, expectPeer: b.nodeId, onEstablished: () => clientSawEstablished++ },
        { identity: b, authorize: new Set([a.nodeId]), retry },
      );
      p.pump();
      assert.equal(p.client.isEstablished, true);
      assert.equal(p.client.peerNodeId, b.nodeId);
      assert.equal(clientSawEstablished, 1);
      const s = p.server();
      assert.ok(s);
      assert.equal(s.isEstablished, true);
      assert.equal(s.peerNodeId, a.nodeId);
      assert.equal(p.serverPeer(), a.nodeId);
      assert.equal(p.listener.counters.retries, retry ? 1 : 0);
      assert.equal(p.listener.pendingCount, 0);
      assert.equal(p.listener.connectionCount, 1);
    });
  }

  test('P-256 identities work too', async () => {
    const [a, b] = await Promise.all([
      generateIdentity({ algorithm: 'p256' }),
      generateIdentity({ algorithm: 'p256' }),
    ]);
    const p = makePair({ identity: a, expectPeer: b.nodeId }, { identity: b, authorize: a.nodeId });
    p.pump();
    assert.equal(p.client.peerNodeId, b.nodeId);
    assert.equal(p.server()?.peerNodeId, a.nodeId);
  });
});

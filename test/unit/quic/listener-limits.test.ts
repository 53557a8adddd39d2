// Bounded state on the server: pending (unverified) connections are capped and time out silently.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type HostPort, QuicConn, QuicListener } from '../../../app/helper/quic/index.ts';
import { identities, SERVER_ADDR } from './harness.ts';

describe('listener limits', () => {
  test('pending handshakes are capped, then forgotten after the handshake timeout', async () => {
    const [a, b] = await identities();
    if (!a || !b) throw new Error('identities');
    const listener = new QuicListener({
      identity: b,
      authorize: a.nodeId,
      retry: false,
      maxPending: 3,
      handshakeTimeoutMs: 1000,
      onConnection: () => assert.fail('nobody finishes a handshake here'),
    });
    const t0 = 10_000;
    for (let i = 0; i < 5; i++) {
      const from: HostPort = { host: '127.0.0.1', port: 43000 + i };
      const c = QuicConn.connect({ identity: a, expectPeer: b.nodeId, local: from, remote: SERVER_ADDR });
      c.flush((buf, len) => listener.handlePacket(buf, len, from, SERVER_ADDR, t0));
    }
    assert.equal(listener.pendingCount, 3);
    assert.equal(listener.counters.dropped['pending-full'], 2);
    assert.ok(listener.flush(() => {}) > 0, 'the three accepted ones answer');
    const due = listener.timeoutMs();
    assert.ok(due !== null && due <= 1000);
    listener.onTimeout(t0 + 1001);
    assert.equal(listener.pendingCount, 0);
    assert.equal(listener.connectionCount, 0);
    assert.equal(listener.counters.handshakeTimeouts, 3);
    assert.equal(
      listener.flush(() => {}),
      0,
      'forgotten silently: no CONNECTION_CLOSE to unverified peers',
    );
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NodeId } from '../../../app/core/types.ts';
import { CLOSE_BAD_CERTIFICATE, type CloseInfo, QuicConn } from '../../../app/helper/quic/index.ts';
import { quiche } from '../../../app/helper/quic/native.ts';
import { CLIENT_ADDR, identities, makePair, SERVER_ADDR } from './harness.ts';

const payload = new Uint8Array(1300).fill(7);

describe('quic peer authentication', () => {
  test('server expecting another NodeId: closed, client sees CRYPTO error, no connection surfaces', async () => {
    const [a, b, stranger] = await identities();
    if (!a || !b || !stranger) throw new Error('identities');
    let surfaced = 0;
    let clientClose: CloseInfo | null = null;
    const p = makePair(
      { identity: a, expectPeer: b.nodeId, onClosed: (i) => (clientClose = i) },
      { identity: b, authorize: stranger.nodeId, onConnection: () => surfaced++ },
    );
    p.pump(3);
    // the client finishes TLS first, so it believes the server is fine and sends datagrams at once
    let queued = 0;
    for (let i = 0; i < 100; i++) if (p.client.sendDatagram(payload, 0, payload.length)) queued++;
    assert.ok(queued > 0, 'client could queue datagrams');
    for (let i = 0; i < 400 && (!p.client.isClosed || p.listener.connectionCount > 0); i++) {
      p.pump(5);
      await new Promise((r) => setTimeout(r, 5));
      p.client.onTimeout();
      p.listener.onTimeout(performance.now());
    }
    assert.equal(
      surfaced,
      0,
      'onConnection never ran: the caller never got a connection to read datagrams from',
    );
    assert.equal(p.server(), null);
    assert.equal(p.client.isClosed, true);
    assert.deepEqual(clientClose, {
      initiator: 'peer',
      app: false,
      code: CLOSE_BAD_CERTIFICATE,
      reason: 'peer not authorized',
    });
    assert.equal(p.listener.connectionCount, 0);
    assert.equal(p.listener.counters.rejected, 1);
  });

  test('client expecting another NodeId: rejects the server and delivers zero datagrams', async () => {
    const [a, b, stranger] = await identities();
    if (!a || !b || !stranger) throw new Error('identities');
    const p = makePair(
      { identity: a, expectPeer: stranger.nodeId },
      { identity: b, authorize: a.nodeId, retry: false },
    );
    p.pump(2);
    assert.equal(p.client.phase === 'rejected' || p.client.phase === 'closed', true);
    assert.match(p.client.rejectReason ?? '', /unexpected NodeId/);
    // if the server got far enough to trust the client, let it try to push datagrams and control bytes
    const s = p.server();
    if (s) {
      for (let i = 0; i < 50; i++) s.sendDatagram(payload, 0, payload.length);
      s.sendControl(new Uint8Array([1, 2, 3]));
    }
    p.pump();
    let delivered = 0;
    p.client.recvDatagrams(() => delivered++);
    assert.equal(delivered, 0);
    assert.equal(p.client.isEstablished, false);
    assert.equal(p.client.peerNodeId, null);
    assert.equal(p.client.sendDatagram(payload, 0, payload.length), false);
  });

  test('client without a certificate is refused by TLS (CERTIFICATE_REQUIRED)', async () => {
    const [, b] = await identities();
    if (!b) throw new Error('identities');
    let surfaced = 0;
    const p = makePair(
      { identity: b, expectPeer: b.nodeId },
      { identity: b, authorize: () => true, retry: false, onConnection: () => surfaced++ },
    );
    // replace the pair's client with a raw quiche client that has no certificate
    const cfg = quiche.Config.withBoringSslCtx(
      true,
      true,
      null,
      null,
      null,
      'ed25519:ecdsa_secp256r1_sha256',
    );
    cfg.setApplicationProtos(['quicether/1']);
    cfg.enableDgram(true, 16, 16);
    const native = quiche.Connection.connect(null, new Uint8Array(16).fill(9), CLIENT_ADDR, SERVER_ADDR, cfg);
    const bare = new QuicConn({ role: 'client', native, expectPeer: b.nodeId as NodeId });
    const out: { buf: Uint8Array; len: number }[] = [];
    for (let round = 0; round < 20; round++) {
      out.length = 0;
      bare.flush((buf, len) => out.push({ buf: buf.slice(0, len), len }));
      for (const o of out) p.listener.handlePacket(o.buf, o.len, CLIENT_ADDR, SERVER_ADDR, performance.now());
      p.listener.flush((buf, len) => bare.recvPacket(buf.slice(0, len), len, SERVER_ADDR, CLIENT_ADDR));
    }
    assert.equal(surfaced, 0);
    const peerErr = native.peerError();
    assert.ok(peerErr);
    assert.equal(peerErr.errorCode, 0x100 + 116); // TLS alert certificate_required
    // the refused connection drains and is forgotten
    for (let i = 0; i < 400 && p.listener.connectionCount > 0; i++) {
      await new Promise((r) => setTimeout(r, 5));
      p.listener.onTimeout(performance.now());
      p.listener.flush(() => {});
    }
    assert.equal(p.listener.connectionCount, 0);
    assert.equal(p.listener.pendingCount, 0);
  });
});

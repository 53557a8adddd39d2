import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HEADER_LEN } from '../../../app/core/encap.ts';
import { QUIC_DATAGRAM_OVERHEAD } from '../../../app/helper/quic/config.ts';
import type { CloseInfo, QuicConn } from '../../../app/helper/quic/index.ts';
import { identities, makePair, type Pair } from './harness.ts';

const DGRAM = 1300;

async function openPair(
  extra: { idleTimeoutMs?: number; onClientControl?: (c: Uint8Array, fin: boolean) => void } = {},
): Promise<Pair> {
  const [a, b] = await identities();
  if (!a || !b) throw new Error('identities');
  const p = makePair(
    {
      identity: a,
      expectPeer: b.nodeId,
      idleTimeoutMs: extra.idleTimeoutMs,
      onControl: extra.onClientControl,
    },
    { identity: b, authorize: a.nodeId, idleTimeoutMs: extra.idleTimeoutMs },
  );
  p.pump();
  assert.ok(p.client.isEstablished && p.server()?.isEstablished);
  return p;
}

function fill(buf: Uint8Array, seq: number): void {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  dv.setUint32(0, seq);
  for (let i = 4; i < buf.length; i++) buf[i] = (seq * 31 + i) & 0xff;
}

function intact(buf: Uint8Array, len: number): number {
  if (len !== DGRAM) return -1;
  const seq = new DataView(buf.buffer, buf.byteOffset, len).getUint32(0);
  for (let i = 4; i < len; i++) if (buf[i] !== ((seq * 31 + i) & 0xff)) return -1;
  return seq;
}

async function settle(p: Pair, until: () => boolean, maxMs = 3000): Promise<void> {
  const end = performance.now() + maxMs;
  while (!until() && performance.now() < end) {
    p.pump(5);
    await new Promise((r) => setTimeout(r, 5));
    p.client.onTimeout();
    p.listener.onTimeout(performance.now());
  }
}

describe('quic datagrams, control stream, close, timeout', () => {
  test('a full 1420-byte inner packet plus our header fits one DATAGRAM in a 1500-byte link', async () => {
    // The helper's UDP payload for tunnel MTU m is m + HEADER_LEN + QUIC_DATAGRAM_OVERHEAD (node.ts).
    const udp = 1420 + HEADER_LEN + QUIC_DATAGRAM_OVERHEAD;
    assert.ok(udp + 28 <= 1500, `UDP payload ${udp} + IPv4/UDP headers must fit 1500`);
    const [a, b] = await identities();
    if (!a || !b) throw new Error('identities');
    const p = makePair(
      { identity: a, expectPeer: b.nodeId, maxSendUdpPayload: udp, maxRecvUdpPayload: 1472 },
      { identity: b, authorize: a.nodeId, maxSendUdpPayload: udp, maxRecvUdpPayload: 1472 },
    );
    p.pump();
    assert.ok(p.client.isEstablished);
    assert.ok(
      p.client.maxDatagramSize() >= 1420 + HEADER_LEN,
      `writable ${p.client.maxDatagramSize()} < ${1420 + HEADER_LEN}`,
    );
    assert.equal(p.client.sendDatagram(new Uint8Array(1430), 0, 1430), true);
  });

  test('5000 datagrams of 1300 bytes each way arrive intact', async () => {
    const p = await openPair();
    const s = p.server() as QuicConn;
    const buf = new Uint8Array(DGRAM);
    const seen = [new Set<number>(), new Set<number>()];
    let corrupt = 0;
    const queued = [0, 0];
    const N = 5000;
    for (let round = 0; round < 2000 && (queued[0] ?? 0) + (queued[1] ?? 0) < 2 * N; round++) {
      for (const [side, conn] of [
        [0, p.client],
        [1, s],
      ] as const) {
        for (let k = 0; k < 64 && (queued[side] ?? 0) < N; k++) {
          fill(buf, queued[side] ?? 0);
          if (!conn.sendDatagram(buf, 0, DGRAM)) break;
          queued[side] = (queued[side] ?? 0) + 1;
        }
      }
      p.pump(2);
      s.recvDatagrams((d, len) => (intact(d, len) < 0 ? corrupt++ : seen[0]?.add(intact(d, len))));
      p.client.recvDatagrams((d, len) => (intact(d, len) < 0 ? corrupt++ : seen[1]?.add(intact(d, len))));
    }
    p.pump();
    s.recvDatagrams((d, len) => (intact(d, len) < 0 ? corrupt++ : seen[0]?.add(intact(d, len))));
    p.client.recvDatagrams((d, len) => (intact(d, len) < 0 ? corrupt++ : seen[1]?.add(intact(d, len))));
    assert.deepEqual(queued, [N, N]);
    assert.equal(corrupt, 0);
    assert.equal(seen[0]?.size, N, 'client -> server');
    assert.equal(seen[1]?.size, N, 'server -> client');
    const st = p.client.stats();
    assert.ok(st.sentBytes > N * DGRAM);
    assert.ok(st.cwnd > 0 && st.pmtu >= 1200);
  });

  test('sendDatagram refuses when the send queue is full, and says so', async () => {
    const p = await openPair();
    const buf = new Uint8Array(DGRAM);
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 2000; i++) p.client.sendDatagram(buf, 0, DGRAM) ? accepted++ : refused++;
    assert.equal(accepted, 512); // DEFAULT_DGRAM_SEND_QUEUE
    assert.equal(refused, 2000 - 512);
    assert.equal(p.client.dgramQueueFull(), true);
    assert.equal(p.client.canSend(), false);
    assert.equal(p.client.stats().dgramSendRefused, refused);
    assert.equal(p.client.sendDatagram(new Uint8Array(4000), 0, 4000), false, 'oversize refused');
    p.pump();
    assert.equal(p.client.dgramQueueFull(), false);
  });

  test('control stream bytes arrive in order, both directions', async () => {
    const toClient: number[] = [];
    const p = await openPair({ onClientControl: (c) => toClient.push(...c) });
    const s = p.server() as QuicConn;
    const toServer: number[] = [];
    s.setHandlers({ onControl: (c) => toServer.push(...c) });
    const total = 100_000;
    const src = new Uint8Array(total);
    for (let i = 0; i < total; i++) src[i] = (i * 7 + (i >> 8)) & 0xff;
    let off = 0;
    let chunk = 1;
    while (off < total) {
      const n = Math.min(chunk, total - off);
      assert.equal(p.client.sendControl(src.subarray(off, off + n)), true);
      assert.equal(s.sendControl(src.subarray(off, off + n)), true);
      off += n;
      chunk = (chunk * 3 + 1) % 4000;
      if (off % 7 === 0) p.pump(1);
    }
    for (let i = 0; i < 50 && (toServer.length < total || toClient.length < total); i++) p.pump();
    assert.equal(toServer.length, total);
    assert.equal(toClient.length, total);
    assert.deepEqual(Uint8Array.from(toServer), src);
    assert.deepEqual(Uint8Array.from(toClient), src);
  });

  test('close is graceful: the peer sees our code and reason', async () => {
    const p = await openPair();
    const s = p.server() as QuicConn;
    let serverClose: CloseInfo | null = null;
    let clientClose: CloseInfo | null = null;
    s.setHandlers({ onClosed: (i) => (serverClose = i) });
    (p.client as QuicConn).setHandlers({ onClosed: (i) => (clientClose = i) });
    p.client.close(42, 'bye now');
    await settle(p, () => serverClose !== null && clientClose !== null);
    assert.deepEqual(serverClose, { initiator: 'peer', app: true, code: 42, reason: 'bye now' });
    assert.deepEqual(clientClose, { initiator: 'local', app: true, code: 42, reason: 'bye now' });
    assert.equal(p.listener.connectionCount, 0);
  });

  test('idle timeout closes both ends (real clock, 300 ms)', async () => {
    const p = await openPair({ idleTimeoutMs: 300 });
    const s = p.server() as QuicConn;
    const t = p.client.timeoutMs();
    assert.ok(t !== null && t <= 300);
    const end = performance.now() + 3000;
    while ((!p.client.isClosed || !s.isClosed) && performance.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
      p.client.onTimeout();
      p.listener.onTimeout(performance.now());
      p.listener.flush(() => {}); // packets are lost: nothing reaches the other side
      p.client.flush(() => {});
    }
    assert.equal(p.client.closeInfo?.initiator, 'idle');
    assert.equal(s.closeInfo?.initiator, 'idle');
  });

  test('keepalive (sendAckEliciting) produces a packet the peer acks', async () => {
    const p = await openPair();
    const before = p.stats.toServer;
    p.client.sendAckEliciting();
    p.pump();
    assert.ok(p.stats.toServer > before);
  });
});

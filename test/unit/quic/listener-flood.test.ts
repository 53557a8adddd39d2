// SECURITY.md P2 at the driver level: a handshake flood from one address is held to that address's
// Retry and connection buckets, while a client at another address still gets in. Real QUIC
// clients make the flood (their Initials decrypt and they echo the Retry token), on a virtual clock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NodeId } from '../../../app/core/types.ts';
import type { Identity } from '../../../app/helper/identity/index.ts';
import { ACCEPT_PER_ADDRESS, RETRY_PER_ADDRESS } from '../../../app/helper/quic/address-limiter.ts';
import {
  type HostPort,
  QuicConn,
  QuicListener,
  type QuicListenerOptions,
} from '../../../app/helper/quic/index.ts';
import { identities, SERVER_ADDR } from './harness.ts';

const FLOOD_HOST = '198.18.9.9';
const REAL: HostPort = { host: '198.18.7.7', port: 5000 };

interface Rig {
  listener: QuicListener;
  /** Delivers the listener's output to whichever client owns the destination (others are lost). */
  flushTo(clients: Map<string, QuicConn>): number;
}

function rig(
  b: Identity,
  a: Identity,
  extra: Partial<QuicListenerOptions> = {},
  opened?: (p: NodeId) => void,
): Rig {
  const listener = new QuicListener({
    identity: b,
    authorize: a.nodeId,
    onConnection: (_c, peer) => opened?.(peer),
    ...extra,
  });
  return {
    listener,
    flushTo(clients) {
      return listener.flush((buf, len, to) => {
        clients.get(`${to.host}:${to.port}`)?.recvPacket(buf, len, SERVER_ADDR, to);
      });
    },
  };
}

/** One client step: its pending packets go to the listener at `from`, at time `t`. */
function send(c: QuicConn, l: QuicListener, from: HostPort, t: number): number {
  return c.flush((buf, len) => l.handlePacket(buf, len, from, SERVER_ADDR, t));
}

describe('listener under a handshake flood (P2)', () => {
  test('one address is held to its buckets; a client at another address still connects', async () => {
    const [a, b] = await identities();
    if (!a || !b) throw new Error('identities');
    let peer: NodeId | null = null;
    const r = rig(b, a, {}, (p) => {
      peer = p;
    });
    const l = r.listener;
    const t = 50_000;
    const flood = new Map<string, QuicConn>();
    const N = 120;
    for (let i = 0; i < N; i++) {
      const from = { host: FLOOD_HOST, port: 20_000 + i };
      const c = QuicConn.connect({ identity: a, expectPeer: b.nodeId, local: from, remote: SERVER_ADDR });
      flood.set(`${from.host}:${from.port}`, c);
      send(c, l, from, t);
    }
    r.flushTo(flood); // Retries reach the flooders that got one
    assert.equal(l.counters.retries, RETRY_PER_ADDRESS.burst, 'one address gets its burst of Retries');
    assert.equal(l.counters.dropped['retry-rate'], N - RETRY_PER_ADDRESS.burst);
    // every flooder that got a Retry comes back with its token
    for (const [k, c] of flood) {
      const port = Number(k.split(':')[1]);
      send(c, l, { host: FLOOD_HOST, port }, t);
    }
    assert.equal(l.counters.accepted, ACCEPT_PER_ADDRESS.burst, 'one address creates at most its burst');
    assert.equal(l.counters.dropped['accept-rate'], RETRY_PER_ADDRESS.burst - ACCEPT_PER_ADDRESS.burst);
    assert.equal(l.connectionCount, ACCEPT_PER_ADDRESS.burst);

    // Mid-flood, a client at another address: Retry, accept, handshake, NodeId check.
    const real = QuicConn.connect({ identity: a, expectPeer: b.nodeId, local: REAL, remote: SERVER_ADDR });
    const mine = new Map([[`${REAL.host}:${REAL.port}`, real]]);
    for (let round = 0; round < 20 && peer === null; round++) {
      send(real, l, REAL, t);
      // the flood keeps coming from its address in between
      for (let i = 0; i < 10; i++) {
        const from = { host: FLOOD_HOST, port: 30_000 + round * 10 + i };
        send(
          QuicConn.connect({ identity: a, expectPeer: b.nodeId, local: from, remote: SERVER_ADDR }),
          l,
          from,
          t,
        );
      }
      r.flushTo(mine);
    }
    assert.equal(peer, a.nodeId, 'the real client got in');
    assert.ok(real.isEstablished);
    assert.equal(l.counters.accepted, ACCEPT_PER_ADDRESS.burst + 1);
  });

  test('over time, one address gets Retries at the bucket rate', async () => {
    const [a, b] = await identities();
    if (!a || !b) throw new Error('identities');
    const l = rig(b, a).listener;
    // One authentic Initial, replayed from many ports of one host: Retries are stateless, so each is judged alone.
    const c = QuicConn.connect({
      identity: a,
      expectPeer: b.nodeId,
      local: { host: FLOOD_HOST, port: 1 },
      remote: SERVER_ADDR,
    });
    const pkts: Uint8Array[] = [];
    c.flush((buf, len) => pkts.push(buf.slice(0, len)));
    const pkt = pkts[0];
    assert.ok(pkt);
    const t0 = 1_000_000;
    let sent = 0;
    // 10 s of virtual time, 2000 Initials/s
    for (let ms = 0; ms < 10_000; ms += 10) {
      for (let i = 0; i < 20; i++) {
        const copy = pkt.slice();
        l.handlePacket(
          copy,
          copy.length,
          { host: FLOOD_HOST, port: 1024 + (sent++ % 60_000) },
          SERVER_ADDR,
          t0 + ms,
        );
      }
      l.flush(() => {});
    }
    const expected = RETRY_PER_ADDRESS.burst + RETRY_PER_ADDRESS.ratePerSec * 10;
    assert.ok(
      Math.abs(l.counters.retries - expected) <= 1,
      `${l.counters.retries} Retries, expected about ${expected}`,
    );
    assert.equal(l.counters.retries + l.counters.dropped['retry-rate'], sent);
    assert.equal(l.connectionCount, 0);
    assert.equal(l.trackedAddresses, 1, 'keyed by IP, not port');
  });

  test('the global bucket caps connections from many addresses; the address map stays bounded', async () => {
    const [a, b] = await identities();
    if (!a || !b) throw new Error('identities');
    const l = rig(b, a, {
      limits: { acceptGlobal: { ratePerSec: 1, burst: 3 }, maxAddresses: 8 },
    }).listener;
    const t = 7_000;
    const clients = new Map<string, QuicConn>();
    const froms: HostPort[] = [];
    for (let i = 0; i < 6; i++) {
      const from = { host: `198.18.5.${10 + i}`, port: 6000 };
      froms.push(from);
      const c = QuicConn.connect({ identity: a, expectPeer: b.nodeId, local: from, remote: SERVER_ADDR });
      clients.set(`${from.host}:${from.port}`, c);
      send(c, l, from, t);
    }
    l.flush((buf, len, to) => clients.get(`${to.host}:${to.port}`)?.recvPacket(buf, len, SERVER_ADDR, to));
    assert.equal(l.counters.retries, 6);
    for (const from of froms) send(clients.get(`${from.host}:${from.port}`) as QuicConn, l, from, t);
    assert.equal(l.counters.accepted, 3);
    assert.equal(l.counters.dropped['accept-rate-global'], 3);
    // Many more source addresses than the map holds: it stays at its cap.
    const pkts: Uint8Array[] = [];
    QuicConn.connect({ identity: a, expectPeer: b.nodeId, local: REAL, remote: SERVER_ADDR }).flush(
      (buf, len) => pkts.push(buf.slice(0, len)),
    );
    const pkt = pkts[0];
    assert.ok(pkt);
    for (let i = 0; i < 1000; i++) {
      const copy = pkt.slice();
      l.handlePacket(copy, copy.length, { host: `10.${i >> 8}.${i & 255}.1`, port: 9 }, SERVER_ADDR, t);
      l.flush(() => {});
      assert.ok(l.trackedAddresses <= 8);
    }
    assert.equal(l.trackedAddresses, 8);
    assert.equal(l.counters.retries, 6 + 1000, 'each new address has a full bucket');
  });
});

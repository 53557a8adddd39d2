// A PeerSession with the latency strategy over two paced paths, quiche faked: bulk goes to the
// path whose pacer has room, waits in a held queue when none has, and is dropped only when the
// held queues are full (held-bulk.ts, PeerSession.pickToHold).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DATA_HEADER_LEN } from '../../../app/core/encap.ts';
import { newFlowInfo } from '../../../app/core/flow.ts';
import { BulkPacer } from '../../../app/core/multipath/bulk-pacer.ts';
import { flowId, type Millis, type NodeId } from '../../../app/core/types.ts';
import { PacketPool } from '../../../app/helper/dataplane/packet-pool.ts';
import type { PathLink } from '../../../app/helper/dataplane/path-link.ts';
import { PeerSession } from '../../../app/helper/dataplane/session.ts';
import { addActivePath, FakeConn, fakeLink } from './fake-link.ts';

const MBIT = 125_000; // bytes/s
const ms = (n: number) => n as Millis;
const PKT = 1400;

function session(mode: 'aggregate' | 'failover') {
  const s = new PeerSession(
    'qe1test' as NodeId,
    [],
    { mode, strategy: 'latency-aware' },
    new PacketPool(16, 2048),
    () => {},
    () => {},
    () => 1,
    (iface) => (iface === 'wifi0' ? 0 : 1),
  );
  const conns: FakeConn[] = [];
  const links: PathLink[] = [];
  for (const [i, iface] of ['wifi0', 'lte0'].entries()) {
    const conn = new FakeConn();
    const link = fakeLink(conn, iface, i === 0 ? 'wifi' : 'cellular', i);
    addActivePath(s, link);
    conns.push(conn);
    links.push(link);
  }
  s.pumpEvents(ms(100), () => {});
  for (const l of links) assert.equal(s.stateOf(l.pathId as never), 'active');
  return { s, conns, links };
}

/** Engages a pacer at `mbit` x 0.9 (a queue seen while the path carried `mbit`). */
function pace(link: PathLink, mbit: number): number {
  const p = new BulkPacer();
  p.onSample(0, 5, 5, mbit * MBIT);
  p.onSample(100, 10, 5, mbit * MBIT);
  link.pacer = p;
  return p.rate;
}

/** Offers `mbit` of bulk in one flow for `durMs`, one TUN batch every `batchMs`; returns drops. */
function offer(
  s: PeerSession,
  mbit: number,
  from: number,
  durMs: number,
  batchMs = 1,
  eachMs: () => void = () => {},
): number {
  const info = newFlowInfo();
  info.flowId = flowId(7);
  const buf = new Uint8Array(DATA_HEADER_LEN + PKT);
  const perMs = (mbit * MBIT) / 1000 / (PKT + DATA_HEADER_LEN);
  let owed = 0;
  const before = s.counters.noPathDrops;
  for (let t = from; t < from + durMs; t++) {
    s.refreshViews(ms(t));
    eachMs();
    owed += perMs;
    if ((t - from) % batchMs !== batchMs - 1) continue;
    for (; owed >= 1; owed--) s.sendIp(buf, DATA_HEADER_LEN, PKT, info, ms(t));
  }
  return s.counters.noPathDrops - before;
}

describe('PeerSession, latency strategy, paced paths', () => {
  test("bulk splits by the pacers' rates, not evenly; what they cannot take now waits, not dropped", () => {
    const { s, conns, links } = session('aggregate');
    const fast = pace(links[0] as PathLink, 50);
    const slow = pace(links[1] as PathLink, 20);
    // 10 % under the sum of the paced rates, in bursts of 8 ms (the buckets hold 2): nothing
    // needs dropping.
    let heldSum = 0;
    let samples = 0;
    const drops = offer(s, ((fast + slow) * 0.9) / MBIT, 100, 1000, 8, () => {
      for (const l of links) heldSum += l.held?.bytes ?? 0;
      samples++;
    });
    assert.equal(drops, 0);
    // Held only while both buckets are dry: a few kB on average. Sent wherever there is room
    // first, and held where it drains first, or the slow path's queue sits full (25 ms of its
    // rate, 48-62 kB) and delays the flow (with the scheduler's own choice: 44 kB on average).
    const meanHeld = heldSum / samples;
    assert.ok(meanHeld < 16_000, `${meanHeld.toFixed(0)} bytes held on average`);
    const [a, b] = conns as [FakeConn, FakeConn];
    const ratio = a.bytes / b.bytes;
    assert.ok(
      ratio > 2 && ratio < 3.2,
      `split ${a.bytes} / ${b.bytes} = ${ratio.toFixed(2)} (rates 2.5 : 1)`,
    );
    assert.ok(s.counters.bulkHeld > 0, 'bursts beyond a bucket waited');
  });

  test('over the paced rates: the held queues fill to their bound, then the excess is dropped', () => {
    const { s, conns, links } = session('aggregate');
    const fast = pace(links[0] as PathLink, 50);
    const slow = pace(links[1] as PathLink, 20);
    const drops = offer(s, 2 * ((fast + slow) / MBIT), 100, 1000);
    const sent = (conns[0] as FakeConn).bytes + (conns[1] as FakeConn).bytes;
    assert.ok(Math.abs(sent - (fast + slow)) < 0.05 * (fast + slow), `${sent} bytes went in 1 s`);
    assert.ok(drops > 0);
    for (const l of links) assert.ok((l.held?.size ?? 0) > 0, `${l.iface} holds some`);
  });

  test('failover mode: one paced path, bulk over its rate waits instead of being dropped', () => {
    const { s, conns, links } = session('failover');
    const rate = pace(links[0] as PathLink, 50);
    // 20 % over the pacer for 50 ms: 50 ms x 10 Mbit/s = 62 kB of excess, within the held bound.
    const drops = offer(s, (rate * 1.2) / MBIT, 100, 50);
    assert.equal(drops, 0);
    assert.equal((conns[1] as FakeConn).datagrams, 0, 'the backup carried nothing');
    assert.ok((links[0]?.held?.size ?? 0) > 0);
    // Offered nothing more, it drains as the bucket refills, in the engine's timer.
    let t = 150;
    for (; t < 400 && (links[0]?.held?.size ?? 0) > 0; t++) s.refreshViews(ms(t));
    assert.equal(links[0]?.held?.size, 0, 'drained');
    assert.ok(s.pollTimeout(ms(t)) === null || (s.pollTimeout(ms(t)) as number) > t, 'no held deadline left');
  });
});

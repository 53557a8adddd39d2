import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BALANCE_EXCESS_MS,
  BALANCE_ROOM_MS,
  QueueBalance,
} from '../../../../app/core/multipath/queue-balance.ts';
import type { PathId } from '../../../../app/core/types.ts';
import { pathId } from '../../../../app/core/types.ts';

const A = pathId(0);
const B = pathId(1);
const q = (a: number, b: number): Map<PathId, number> =>
  new Map([
    [A, a],
    [B, b],
  ]);

/**
 * Closed loop, 100 ms steps: one in-order flow over paths of capacities `caps` (Mbit/s) split by
 * the balance factors. Each path's queue (ms) grows by what it is offered beyond its capacity and
 * drains otherwise; the flow delivers at the pace of the slowest share (in-order delivery) and
 * offers 10 % more on the next step (a TCP probing for bandwidth). Returns the delivered rate
 * averaged over the last `tail` steps and path A's share.
 */
function closedLoop(caps: number[], balance: QueueBalance | null, steps = 200, tail = 50) {
  const ids = caps.map((_, i) => pathId(i));
  const queue = caps.map(() => 0);
  let offered = 10;
  let sum = 0;
  let shareA = 0;
  for (let k = 0; k < steps; k++) {
    const f = ids.map((id) => balance?.factorOf(id) ?? 1);
    const total = f.reduce((x, y) => x + y, 0);
    let delivered = Number.POSITIVE_INFINITY;
    caps.forEach((cap, i) => {
      const share = (f[i] as number) / total;
      const load = offered * share;
      queue[i] = Math.max(0, Math.min(50, (queue[i] as number) + ((load - cap) / cap) * 100));
      delivered = Math.min(delivered, Math.min(load, cap) / share);
    });
    offered = delivered * 1.1;
    balance?.update(new Map(ids.map((id, i) => [id, queue[i] as number])));
    if (k >= steps - tail) {
      sum += delivered;
      shareA += (f[0] as number) / total;
    }
  }
  return { mbps: sum / tail, shareA: shareA / tail };
}

/**
 * Two bottlenecks A and B (capacities in Mbit/s) under the balance, one 100 ms sample per step:
 * the flow offers `offered(qa, qb)` Mbit/s, split by the factors; each queue (ms) moves by
 * (load - capacity) / capacity x 25 ms and holds 50 ms at most (a full buffer drops). `each`
 * sees every step's queues after the move.
 */
function twoBottlenecks(
  b: QueueBalance,
  o: {
    caps: [number, number];
    start: [number, number];
    steps: number;
    offered: (qa: number, qb: number) => number;
    each: (k: number, qa: number, qb: number) => void;
  },
): void {
  let [qa, qb] = o.start;
  const move = (q0: number, load: number, cap: number) =>
    Math.max(0, Math.min(50, q0 + ((load - cap) / cap) * 25));
  for (let k = 0; k < o.steps; k++) {
    b.update(q(qa, qb));
    const shareA = b.factorOf(A) / (b.factorOf(A) + b.factorOf(B));
    const offered = o.offered(qa, qb);
    qa = move(qa, offered * shareA, o.caps[0]);
    qb = move(qb, offered * (1 - shareA), o.caps[1]);
    o.each(k, qa, qb);
  }
}

describe('QueueBalance', () => {
  test('a path whose queue stands above the other loses share, then regains it', () => {
    const b = new QueueBalance();
    for (let i = 0; i < 5; i++) b.update(q(0.5, BALANCE_EXCESS_MS + 4));
    assert.equal(b.factorOf(A), 1);
    assert.ok(b.factorOf(B) < 0.5, `factor ${b.factorOf(B)}`);
    for (let i = 0; i < 60; i++) b.update(q(0.5, 0.5));
    assert.equal(b.factorOf(B), 1);
  });

  test('a path whose queue is already draining keeps its factor: no second cut, no regrowth', () => {
    const b = new QueueBalance();
    b.update(q(0, 20));
    assert.equal(b.factorOf(B), 1, 'one sample with room is not spare capacity yet');
    b.update(q(0, 20));
    const cut = b.factorOf(B);
    assert.ok(cut < 1, `first cut ${cut}`);
    // Falling by more than 1 ms per sample: the cut is acting.
    for (const ms of [16, 12, 9, 6]) b.update(q(0, ms));
    assert.equal(b.factorOf(B), cut, 'held while the queue drains');
    // Standing (or growing) again above the other: cut again.
    b.update(q(0, 6));
    assert.ok(b.factorOf(B) < cut, `second cut ${b.factorOf(B)}`);
    // Drained: regrows.
    const low = b.factorOf(B);
    b.update(q(0, 1));
    assert.ok(b.factorOf(B) > low);
  });

  test('a queue that drains over several samples takes one cut, and the traffic does not slosh back', () => {
    // Two 100 Mbit/s paths offered 170 Mbit/s in all, B starting with a 30 ms queue. Each 100 ms
    // sample a path's queue moves by (offered - capacity) / capacity x 25 ms: a cut takes a few
    // samples to drain it. Cutting again on every sample until it was gone took B to 0.49 and
    // then overloaded A, whose factor was cut in turn (0.49): the sloshing measured in the lab.
    const b = new QueueBalance();
    let lowA = 1;
    let lowB = 1;
    twoBottlenecks(b, {
      caps: [100, 100],
      start: [0, 30],
      steps: 30,
      offered: () => 170,
      each: () => {
        lowA = Math.min(lowA, b.factorOf(A));
        lowB = Math.min(lowB, b.factorOf(B));
      },
    });
    assert.ok(lowB >= 0.69, `B's factor went down to ${lowB.toFixed(2)} (one cut is 0.7)`);
    assert.equal(lowA, 1, `A was cut to ${lowA.toFixed(2)}: the traffic sloshed back`);
    assert.equal(b.factorOf(B), 1, 'B regrew once its queue was gone');
  });

  test('closed loop, both paths saturated: the queues are evened out and neither stays full', () => {
    // Two paths whose capacities the weights do not know (100 and 90 Mbit/s, equal weights) and
    // one flow that keeps ~70 ms of queue in all (an inner BBR beyond its pipe). Each path's queue
    // moves by (offered - capacity) / capacity x 25 ms per 100 ms and holds 50 ms at most (a full
    // buffer drops). Without evening out, the 90 Mbit/s path's queue stood full in 67 of the last
    // 100 samples while the other's sank to 2-25 ms.
    const b = new QueueBalance();
    let full = 0;
    let gap = 0;
    twoBottlenecks(b, {
      caps: [100, 90],
      start: [0, 0],
      steps: 200,
      offered: (qa, qb) => 190 + (70 - qa - qb) * 0.5,
      each: (k, qa, qb) => {
        if (k < 100) return;
        if (qa >= 49 || qb >= 49) full++;
        gap = Math.max(gap, Math.abs(qa - qb));
      },
    });
    assert.equal(full, 0, `a queue stood full in ${full} of the last 100 samples`);
    assert.ok(gap < 20, `queues up to ${gap.toFixed(1)} ms apart`);
  });

  test('delay every path shows (common mode) moves nothing, saturated paths are evened gently, the floor keeps a trickle', () => {
    const b = new QueueBalance();
    for (let i = 0; i < 50; i++) b.update(q(12, 13));
    assert.equal(b.factorOf(A), 1);
    assert.equal(b.factorOf(B), 1);
    // Every path saturated (least queue above the room threshold), 20 ms apart: no cut, but the
    // queues are evened out gently (about 2 % of share per sample).
    const trace: number[] = [];
    for (let i = 0; i < 10; i++) {
      b.update(q(BALANCE_ROOM_MS + 1, BALANCE_ROOM_MS + 21));
      trace.push(b.factorOf(B));
    }
    assert.equal(b.factorOf(A), 1);
    assert.ok(
      trace.every((f, i) => f < (trace[i - 1] ?? 1) && f > 0.9 ** (i + 1)),
      trace.join(' '),
    );
    for (let i = 0; i < 200; i++) b.update(q(0, 40));
    assert.ok(b.factorOf(B) >= 0.1 && b.factorOf(B) < 0.11, `floor ${b.factorOf(B)}`);
  });

  test('unknown queues count as not full; forgotten paths restart at 1', () => {
    const b = new QueueBalance();
    for (let i = 0; i < 5; i++) b.update(q(Number.NaN, 20));
    assert.equal(b.factorOf(B), 1, 'the only known queue is the least one: nothing to move to');
    const c = new QueueBalance();
    for (let i = 0; i < 5; i++) c.update(q(0, 20));
    assert.ok(c.factorOf(B) < 1);
    c.update(new Map([[A, 0]]));
    assert.equal(c.factorOf(B), 1, 'B removed, then unknown again');
  });

  test('closed loop, 50 + 20 Mbit/s: one in-order flow reaches ~the sum (an even split gives 40)', () => {
    const even = closedLoop([50, 20], null);
    assert.ok(even.mbps < 41, `even split ${even.mbps.toFixed(1)}`);
    const balanced = closedLoop([50, 20], new QueueBalance());
    assert.ok(balanced.mbps >= 60, `balanced ${balanced.mbps.toFixed(1)} Mbit/s`);
    assert.ok(balanced.shareA > 0.65 && balanced.shareA < 0.8, `share ${balanced.shareA.toFixed(3)}`);
  });

  test('closed loop, equal paths: the split stays even and the flow reaches the sum', () => {
    const r = closedLoop([100, 100], new QueueBalance());
    assert.ok(r.mbps >= 190, `${r.mbps.toFixed(1)} Mbit/s`);
    assert.ok(Math.abs(r.shareA - 0.5) < 0.02, `share ${r.shareA.toFixed(3)}`);
  });
});

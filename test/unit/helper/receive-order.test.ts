import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type MutablePathView, newPathView } from '../../../app/core/multipath/path-view.ts';
import type { Millis, PathId } from '../../../app/core/types.ts';
import { pathId } from '../../../app/core/types.ts';
import { PacketPool } from '../../../app/helper/dataplane/packet-pool.ts';
import { ReceiveOrder } from '../../../app/helper/dataplane/receive-order.ts';

const ms = (n: number) => n as Millis;

function view(id: number, minRttMs: number): MutablePathView {
  const v = newPathView(pathId(id));
  v.state = 'active';
  v.minRttMs = minRttMs;
  v.srttMs = minRttMs;
  return v;
}

/** Two Active paths, lane = path id: a 10 ms one (lane 0) and a 50 ms one (lane 1). */
function twoPaths(): ReceiveOrder {
  const o = new ReceiveOrder();
  o.openLane(0, ms(0));
  o.openLane(1, ms(0));
  o.update([view(0, 10), view(1, 50)], (id: PathId) => id as number, ms(0));
  return o;
}

const drain = (o: ReceiveOrder, now: number): number[] => {
  const out: number[] = [];
  for (let s = o.poll(ms(now)); s !== undefined; s = o.poll(ms(now))) out.push(s);
  return out;
};

describe('ReceiveOrder', () => {
  test('the faster lane waits half the RTT gap before a spread packet goes on', () => {
    const o = twoPaths();
    assert.equal(o.delayOf(0), 20);
    assert.equal(o.delayOf(1), 0);
    o.push(0, 100, ms(5), false, 0, true); // seq 0 on the 10 ms path: waits until 25
    assert.deepEqual(drain(o, 24), []);
    assert.equal(o.pollTimeout(), 25);
    assert.deepEqual(drain(o, 25), [100]);
  });

  test('without evening out (this end or the peer does not spread) it goes straight on', () => {
    const o = twoPaths();
    o.push(0, 100, ms(5), false, 0, false);
    assert.deepEqual(drain(o, 5), [100]);
  });

  test('packets of both lanes leave in sequence order once the waits are over', () => {
    const o = twoPaths();
    // Sent alternately at t = 0, 1, 2, 3: even seqs on the fast path (5 ms one way), odd on the
    // slow one (25 ms). The fast ones wait 20 ms, so all arrive at the buffer in order.
    o.push(0, 10, ms(5), false, 0, true);
    o.push(2, 12, ms(7), false, 0, true);
    o.push(1, 11, ms(26), false, 1, true);
    assert.deepEqual(drain(o, 26), [10, 11]);
    o.push(3, 13, ms(28), false, 1, true);
    assert.deepEqual(drain(o, 28), [12, 13]);
  });

  test('a closing lane sends on what waits on it; reset hands every held slot back', () => {
    const o = twoPaths();
    o.push(0, 100, ms(0), false, 0, true);
    o.closeLane(0, ms(1));
    assert.deepEqual(drain(o, 1), [100]);
    assert.equal(o.delayOf(0), 0);

    const p = twoPaths();
    p.push(0, 200, ms(0), false, 0, true); // waiting in the delay line
    p.push(5, 201, ms(0), false, 1, false); // held in the buffer behind the gap
    const released: number[] = [];
    p.reset(ms(1), [0, 1], (slot) => released.push(slot));
    assert.deepEqual(released.sort(), [200, 201]);
    assert.equal(p.pollTimeout(), null);
    assert.equal(p.buffer.held, 0);
  });
});

describe('ReceiveOrder with a packet pool', () => {
  test('every copy gets its slot back: delivered ones by the caller, dropped duplicates by the buffer', () => {
    // Redundant mode: each packet arrives three times (two paths, plus a spaced copy), bulk ones
    // held for a gap, interactive ones at once. Before the drop callback every duplicate kept its
    // pool slot, and after 4096 of them the helper could receive nothing at all.
    const pool = new PacketPool(64, 128);
    const o = new ReceiveOrder((slot) => pool.release(slot));
    o.openLane(0, ms(0));
    o.openLane(1, ms(0));
    const payload = new Uint8Array(40);
    let delivered = 0;
    for (let round = 0; round < 200; round++) {
      const base = round * 4;
      // Arrival order with a gap: seq base+1 first (held), then base, then the copies.
      for (const [seq, lane, immediate] of [
        [base + 1, 0, false],
        [base, 1, false],
        [base + 1, 1, false],
        [base, 0, false],
        [base + 2, 0, true],
        [base + 3, 0, true],
        [base + 2, 1, true],
        [base + 3, 1, true],
        [base + 2, 0, true],
        [base + 1, 0, false],
      ] as const) {
        const slot = pool.store(payload, 0, payload.length);
        assert.ok(slot >= 0, `pool has a slot in round ${round}`);
        o.push(seq, slot, ms(round), immediate, lane, false);
      }
      for (const s of drain(o, round)) {
        pool.release(s);
        delivered++;
      }
    }
    assert.equal(delivered, 800, 'each packet handed up once');
    assert.equal(o.buffer.counters.duplicates, 1200);
    assert.equal(pool.available, 64, 'every slot came back');
    assert.equal(pool.exhausted, 0);
  });
});

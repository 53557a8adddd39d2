import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type DelayedPacket,
  DelayLine,
  equalizingDelayMs,
  MAX_EQUALIZE_MS,
  MIN_EQUALIZE_MS,
  slowestActiveMinRtt,
} from '../../../../app/core/multipath/delay-line.ts';
import { type MutablePathView, newPathView } from '../../../../app/core/multipath/path-view.ts';
import type { Millis } from '../../../../app/core/types.ts';
import { pathId } from '../../../../app/core/types.ts';

const ms = (n: number) => n as Millis;
const pkt = (): DelayedPacket => ({ seq: 0, ref: 0, immediate: false, lane: -1 });

/** Everything due at `now`, as [lane, seq] pairs in release order. */
function drain(line: DelayLine, now: number): [number, number][] {
  const out: [number, number][] = [];
  const p = pkt();
  while (line.poll(ms(now), p)) out.push([p.lane, p.seq]);
  return out;
}

function view(id: number, state: MutablePathView['state'], minRttMs: number): MutablePathView {
  const v = newPathView(pathId(id));
  v.state = state;
  v.minRttMs = minRttMs;
  return v;
}

describe('DelayLine', () => {
  test('a lane without a delay does not take packets', () => {
    const line = new DelayLine(4);
    assert.equal(line.push(0, 1, 10, false, ms(0), pkt()), false);
    line.setDelay(0, 20);
    assert.equal(line.push(1, 2, 11, false, ms(0), pkt()), false, 'lane 1 has no delay');
    assert.equal(line.push(-1, 3, 12, false, ms(0), pkt()), false, 'unknown lane');
    assert.equal(line.held, 0);
  });

  test('a packet waits its lane delay, and lanes release in due order', () => {
    const line = new DelayLine(4);
    line.setDelay(0, 20);
    line.setDelay(1, 5);
    const ov = pkt();
    assert.ok(line.push(0, 100, 1, false, ms(0), ov));
    assert.equal(ov.lane, -1, 'nothing overflowed');
    assert.ok(line.push(1, 101, 2, true, ms(10), ov));
    assert.equal(line.held, 2);
    assert.equal(line.pollTimeout(), 15);
    assert.deepEqual(drain(line, 14.9), []);
    assert.deepEqual(drain(line, 15), [[1, 101]]);
    assert.equal(line.pollTimeout(), 20);
    const p = pkt();
    assert.ok(line.poll(ms(25), p));
    assert.deepEqual(p, { seq: 100, ref: 1, immediate: false, lane: 0 });
    assert.equal(line.pollTimeout(), null);
    assert.equal(line.held, 0);
  });

  test('when both are due, the earlier release time goes first whatever the lane', () => {
    const line = new DelayLine(4);
    line.setDelay(0, 20);
    line.setDelay(2, 2);
    line.push(0, 1, 1, false, ms(0), pkt()); // due 20
    line.push(2, 2, 2, false, ms(17), pkt()); // due 19
    line.push(0, 3, 3, false, ms(1), pkt()); // due 21
    assert.deepEqual(drain(line, 100), [
      [2, 2],
      [0, 1],
      [0, 3],
    ]);
  });

  test('a shorter delay never lets a packet overtake an earlier one of its lane', () => {
    const line = new DelayLine(2);
    line.setDelay(0, 30);
    line.push(0, 1, 1, false, ms(0), pkt()); // due 30
    line.setDelay(0, 5);
    line.push(0, 2, 2, false, ms(1), pkt()); // due max(6, 30) = 30
    assert.equal(line.pollTimeout(), 30);
    assert.deepEqual(drain(line, 29), []);
    assert.deepEqual(drain(line, 30), [
      [0, 1],
      [0, 2],
    ]);
  });

  test('a full lane releases its oldest packet early, in the overflow slot', () => {
    const line = new DelayLine(1, 4);
    line.setDelay(0, 50);
    const ov = pkt();
    for (let i = 0; i < 4; i++) {
      line.push(0, i, i, false, ms(i), ov);
      assert.equal(ov.lane, -1);
    }
    line.push(0, 4, 4, false, ms(4), ov);
    assert.deepEqual(ov, { seq: 0, ref: 0, immediate: false, lane: 0 });
    assert.equal(line.held, 4);
    assert.deepEqual(
      drain(line, 1000).map(([, s]) => s),
      [1, 2, 3, 4],
    );
  });

  test('flush releases one lane or all of them, in order, without waiting', () => {
    const line = new DelayLine(3);
    line.setDelay(0, 20);
    line.setDelay(1, 10);
    line.push(0, 1, 1, false, ms(0), pkt());
    line.push(1, 2, 2, false, ms(0), pkt());
    line.push(0, 3, 3, false, ms(1), pkt());
    const got: number[] = [];
    line.flush(0, pkt(), (p) => got.push(p.seq));
    assert.deepEqual(got, [1, 3]);
    assert.equal(line.held, 1);
    line.flush(-1, pkt(), (p) => got.push(p.seq));
    assert.deepEqual(got, [1, 3, 2]);
    assert.equal(line.held, 0);
    assert.equal(line.pollTimeout(), null);
  });

  test('delays are clamped: none below MIN_EQUALIZE_MS, at most MAX_EQUALIZE_MS, NaN is none', () => {
    const line = new DelayLine(2);
    line.setDelay(0, MIN_EQUALIZE_MS / 2);
    assert.equal(line.delayOf(0), 0);
    line.setDelay(0, 10 * MAX_EQUALIZE_MS);
    assert.equal(line.delayOf(0), MAX_EQUALIZE_MS);
    line.setDelay(0, Number.NaN);
    assert.equal(line.delayOf(0), 0);
    line.setDelay(5, 10); // beyond maxLanes: ignored
    assert.equal(line.delayOf(5), 0);
  });

  test('property: every packet leaves exactly its lane delay after it came, lanes keep their order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 5 })), {
          minLength: 1,
          maxLength: 200,
        }),
        (arrivals) => {
          const delays = [0, 7.5, 20];
          const line = new DelayLine(3);
          for (const [l, d] of delays.entries()) line.setDelay(l, d);
          let now = 0;
          const due = new Map<number, number>();
          const released: { seq: number; lane: number; at: number }[] = [];
          const p = pkt();
          arrivals.forEach(([lane, gap], seq) => {
            const next = now + gap;
            // Release what falls due before the next arrival, each at its own due time.
            for (let t = line.pollTimeout(); t !== null && t <= next; t = line.pollTimeout()) {
              assert.ok(line.poll(ms(t), p));
              released.push({ seq: p.seq, lane: p.lane, at: t });
            }
            now = next;
            if (line.push(lane, seq, seq, false, ms(now), pkt()))
              due.set(seq, now + (delays[lane] as number));
            else assert.equal(delays[lane], 0);
          });
          for (let t = line.pollTimeout(); t !== null; t = line.pollTimeout()) {
            assert.ok(line.poll(ms(t), p));
            released.push({ seq: p.seq, lane: p.lane, at: t });
          }
          assert.equal(released.length, due.size);
          const lastSeq = [-1, -1, -1];
          for (const r of released) {
            assert.equal(r.at, due.get(r.seq));
            assert.ok(r.seq > (lastSeq[r.lane] as number), 'per-lane order');
            lastSeq[r.lane] = r.seq;
          }
        },
      ),
    );
  });
});

describe('equalizing delays', () => {
  test('the faster path waits half the RTT difference to the slowest Active path', () => {
    const views = [view(0, 'active', 10), view(1, 'active', 50)];
    const slowest = slowestActiveMinRtt(views);
    assert.equal(slowest, 50);
    assert.equal(equalizingDelayMs(views[0] as MutablePathView, slowest), 20);
    assert.equal(equalizingDelayMs(views[1] as MutablePathView, slowest), 0);
  });

  test('standby, failed and unmeasured paths neither set nor get a wait', () => {
    const views = [
      view(0, 'active', 10),
      view(1, 'standby', 600),
      view(2, 'active', Number.NaN),
      view(3, 'failed', 80),
    ];
    const slowest = slowestActiveMinRtt(views);
    assert.equal(slowest, 10, 'only the measured Active path counts');
    for (const v of views) assert.equal(equalizingDelayMs(v, slowest), 0);
    assert.ok(Number.isNaN(slowestActiveMinRtt([view(0, 'probing', 10)])));
    assert.equal(equalizingDelayMs(view(0, 'active', 10), Number.NaN), 0);
  });
});

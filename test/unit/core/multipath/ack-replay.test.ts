import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  AckReplay,
  REPLAY_CAPACITY,
  REPLAY_MAX_BYTES,
  REPLAY_WINDOW_MS,
} from '../../../../app/core/multipath/ack-replay.ts';

/** A datagram whose bytes name it: [tag, tag+1, ...]. */
function dgram(tag: number, length = 60): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (tag + i) & 0xff);
}

function collect(r: AckReplay, now: number, windowMs?: number): number[][] {
  const out: number[][] = [];
  r.replay(now, (buf, start, length) => out.push([...buf.subarray(start, start + length)]), windowMs);
  return out;
}

describe('AckReplay', () => {
  test('replays the newest datagram of each flow, newest first, byte for byte', () => {
    const r = new AckReplay();
    r.record(dgram(1), 0, 60, 100, 0);
    r.record(dgram(2), 0, 60, 200, 1);
    r.record(dgram(3), 0, 60, 100, 2);
    r.record(dgram(4, 80), 0, 80, 300, 3);
    const out = collect(r, 10);
    assert.deepEqual(out, [[...dgram(4, 80)], [...dgram(3)], [...dgram(2)]]);
  });

  test('copies the datagram: a later change of the caller buffer does not leak in', () => {
    const r = new AckReplay();
    const buf = new Uint8Array(200);
    buf.set(dgram(7), 40);
    r.record(buf, 40, 60, 1, 0);
    buf.fill(0);
    assert.deepEqual(collect(r, 1), [[...dgram(7)]]);
  });

  test('skips what was sent longer ago than the window', () => {
    const r = new AckReplay();
    r.record(dgram(1), 0, 60, 1, 0);
    r.record(dgram(2), 0, 60, 2, 400);
    assert.deepEqual(collect(r, 400 + REPLAY_WINDOW_MS - 1), [[...dgram(2)]]);
    const r2 = new AckReplay();
    r2.record(dgram(1), 0, 60, 1, 0);
    assert.deepEqual(collect(r2, 50, 20), []);
  });

  test('forgets everything after a replay', () => {
    const r = new AckReplay();
    r.record(dgram(1), 0, 60, 1, 0);
    assert.equal(r.size, 1);
    assert.equal(collect(r, 1).length, 1);
    assert.equal(r.size, 0);
    assert.deepEqual(collect(r, 2), []);
  });

  test('does not remember a datagram too large (or empty)', () => {
    const r = new AckReplay();
    r.record(new Uint8Array(REPLAY_MAX_BYTES + 1), 0, REPLAY_MAX_BYTES + 1, 1, 0);
    r.record(new Uint8Array(10), 0, 0, 2, 0);
    assert.equal(r.size, 0);
    r.record(new Uint8Array(REPLAY_MAX_BYTES), 0, REPLAY_MAX_BYTES, 3, 0);
    assert.equal(r.size, 1);
  });

  test('keeps the last REPLAY_CAPACITY datagrams: older flows drop out', () => {
    const r = new AckReplay();
    for (let i = 0; i < REPLAY_CAPACITY + 5; i++) r.record(dgram(i), 0, 60, i, i * 0.01);
    const out = collect(r, 1);
    assert.equal(out.length, REPLAY_CAPACITY);
    assert.deepEqual(out[0], [...dgram(REPLAY_CAPACITY + 4)]);
    assert.deepEqual(out.at(-1), [...dgram(5)]);
  });

  test("property: one per flow, each the flow's newest within the window", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ flow: fc.integer({ min: 0, max: 5 }), dt: fc.integer({ min: 0, max: 200 }) }), {
          maxLength: 150,
        }),
        fc.integer({ min: 0, max: 1000 }),
        (sends, windowMs) => {
          const r = new AckReplay();
          let now = 0;
          const log: { flow: number; at: number; tag: number }[] = [];
          sends.forEach((s, i) => {
            now += s.dt;
            r.record(dgram(i), 0, 60, s.flow, now);
            log.push({ flow: s.flow, at: now, tag: i });
          });
          const kept = log.slice(-REPLAY_CAPACITY);
          const expected = new Map<number, number>();
          for (const e of kept) if (now - e.at <= windowMs) expected.set(e.flow, e.tag);
          const got = collect(r, now, windowMs).map((b) => b[0] as number);
          const want = [...expected.values()].sort((a, b) => b - a).map((t) => t & 0xff);
          assert.deepEqual(got, want);
        },
      ),
    );
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BulkPacer } from '../../../../app/core/multipath/bulk-pacer.ts';
import {
  HeldBulk,
  HOLD_MIN_BYTES,
  HOLD_MS,
  holdLimitBytes,
} from '../../../../app/core/multipath/held-bulk.ts';

const MBIT = 125_000; // bytes/s

/** A datagram of `len` bytes whose every byte is `tag`. */
const dgram = (tag: number, len = 1400): Uint8Array => new Uint8Array(len).fill(tag);

/** Takes everything held, in order: the first byte of each and its length. */
function takeAll(h: HeldBulk): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  while (h.sendOldest((b, s, l) => (out.push([b[s] as number, l]), true)));
  return out;
}

describe('HeldBulk', () => {
  test('the bound is HOLD_MS of the pacing rate, with a floor', () => {
    assert.equal(holdLimitBytes(0), HOLD_MIN_BYTES);
    assert.equal(holdLimitBytes(100 * MBIT), (100 * MBIT * HOLD_MS) / 1000);
    assert.ok(holdLimitBytes(1 * MBIT) >= HOLD_MIN_BYTES);
  });

  test('keeps order and bytes; copies, so the caller may reuse its buffer', () => {
    const h = new HeldBulk();
    const buf = new Uint8Array(3000);
    for (let i = 1; i <= 5; i++) {
      buf.fill(i, 100, 100 + 1000 + i);
      assert.equal(h.push(buf, 100, 1000 + i, 1e6), true);
      buf.fill(0);
    }
    assert.equal(h.size, 5);
    assert.equal(h.bytes, 5 * 1000 + 15);
    assert.equal(h.peekLength(), 1001);
    assert.deepEqual(takeAll(h), [
      [1, 1001],
      [2, 1002],
      [3, 1003],
      [4, 1004],
      [5, 1005],
    ]);
    assert.equal(h.size, 0);
    assert.equal(h.bytes, 0);
    assert.equal(h.counters.held, 5);
  });

  test('refuses what would pass the byte bound, but always takes one into an empty queue', () => {
    const h = new HeldBulk();
    assert.equal(h.push(dgram(1, 9000), 0, 9000, 4000), true, 'one jumbo datagram over the bound');
    assert.equal(h.push(dgram(2), 0, 1400, 4000), false);
    assert.equal(h.counters.overflows, 1);
    takeAll(h);
    assert.equal(h.push(dgram(3), 0, 1400, 4000), true);
    assert.equal(h.push(dgram(4), 0, 1400, 4000), true);
    assert.equal(h.fits(1400, 4000), false);
    assert.equal(h.push(dgram(5), 0, 1400, 4000), false);
  });

  test('bounded in count too; the ring wraps without losing order', () => {
    const h = new HeldBulk(4);
    for (let i = 0; i < 4; i++) assert.equal(h.push(dgram(i, 100), 0, 100, 1e9), true);
    assert.equal(h.push(dgram(9, 100), 0, 100, 1e9), false);
    const got: number[] = [];
    for (let round = 0; round < 3; round++) {
      h.sendOldest((b) => (got.push(b[0] as number), true));
      h.sendOldest((b) => (got.push(b[0] as number), true));
      h.push(dgram(10 + 2 * round, 100), 0, 100, 1e9);
      h.push(dgram(11 + 2 * round, 100), 0, 100, 1e9);
    }
    got.push(...takeAll(h).map(([tag]) => tag));
    assert.deepEqual(got, [0, 1, 2, 3, 10, 11, 12, 13, 14, 15]);
  });

  test('a send that fails leaves the datagram at the head', () => {
    const h = new HeldBulk();
    h.push(dgram(7), 0, 1400, 1e6);
    assert.equal(
      h.sendOldest(() => false),
      false,
    );
    assert.equal(h.size, 1);
    assert.deepEqual(takeAll(h), [[7, 1400]]);
    assert.equal(
      h.sendOldest(() => true),
      false,
      'empty',
    );
  });

  test('a larger datagram grows its slot; clear discards and counts', () => {
    const h = new HeldBulk(2);
    h.push(dgram(1, 200), 0, 200, 1e6);
    takeAll(h);
    h.push(dgram(2, 200), 0, 200, 1e6);
    h.push(dgram(3, 4000), 0, 4000, 1e6);
    takeAll(h);
    h.push(dgram(4, 4000), 0, 4000, 1e6);
    assert.deepEqual(takeAll(h), [[4, 4000]]);
    h.push(dgram(5), 0, 1400, 1e6);
    h.clear();
    assert.equal(h.size, 0);
    assert.equal(h.counters.discarded, 1);
  });

  test('behind a pacer: offered 2x its rate, it lets the rate through and holds the rest, bounded', () => {
    // The driver's loop (held-send.ts): bulk goes at once while the bucket has room and nothing
    // waits, else it is held; held bulk leaves as the bucket refills.
    const p = new BulkPacer();
    p.onSample(-100, 10, 10, 50 * MBIT);
    p.onSample(0, 20, 10, 50 * MBIT); // engaged at 45 Mbit/s
    const rate = p.rate;
    const h = new HeldBulk();
    let sent = 0;
    let refused = 0;
    let maxHeld = 0;
    for (let t = 0; t < 1000; t++) {
      const release = (_b: Uint8Array, _s: number, l: number): boolean => {
        p.consume(t, l);
        sent += l;
        return true;
      };
      while (h.size > 0 && p.hasRoom(t)) h.sendOldest(release);
      // 2 x the rate, in 1400-byte datagrams.
      for (let k = 0; k < Math.round((2 * rate) / 1000 / 1400); k++) {
        if (h.size > 0 || !p.hasRoom(t)) {
          if (!h.push(dgram(1), 0, 1400, holdLimitBytes(p.rate))) refused++;
        } else {
          p.consume(t, 1400);
          sent += 1400;
        }
      }
      maxHeld = Math.max(maxHeld, h.bytes);
    }
    assert.ok(
      Math.abs(sent - rate) < 0.05 * rate,
      `${(sent / MBIT).toFixed(1)} Mbit sent in 1 s at ${rate / MBIT}`,
    );
    assert.ok(maxHeld <= holdLimitBytes(rate), `held ${maxHeld} bytes`);
    assert.ok(maxHeld > 0.9 * holdLimitBytes(rate), 'the excess filled the queue');
    assert.ok(refused > 0, 'beyond the bound: refused (a drop the flow sees)');
  });
});

describe('BulkPacer.roomAt', () => {
  test('now while it has room or does not pace; else when the bucket refills', () => {
    const p = new BulkPacer();
    assert.equal(p.roomAt(5), 5, 'not pacing');
    p.onSample(-100, 10, 10, 8 * MBIT);
    p.onSample(0, 20, 10, 8 * MBIT); // 7.2 Mbit/s = 900 bytes/ms
    assert.equal(p.roomAt(0), 0);
    while (p.consume(0, 1500));
    const at = p.roomAt(0);
    assert.ok(at > 0 && at < 3, `room again at ${at} ms`);
    assert.equal(p.hasRoom(at - 0.01), false);
    assert.equal(p.hasRoom(at), true);
  });
});

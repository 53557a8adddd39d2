import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BulkPacer } from '../../../app/core/multipath/bulk-pacer.ts';
import { holdLimitBytes } from '../../../app/core/multipath/held-bulk.ts';
import type { Millis } from '../../../app/core/types.ts';
import {
  drainHeld,
  heldDeadline,
  holdBulk,
  holdRoom,
  mustHold,
} from '../../../app/helper/dataplane/held-send.ts';
import type { PathLink } from '../../../app/helper/dataplane/path-link.ts';
import { fakeLink } from './fake-link.ts';

const MBIT = 125_000; // bytes/s
const ms = (n: number) => n as Millis;

/** quiche as the driver sees it: a DATAGRAM queue of `room` more, then refusals. */
class FakeConn {
  queue: number[] = [];
  room = 1000;
  open = true;
  dgramQueueLen(): number {
    return this.queue.length;
  }
  canSend(): boolean {
    return this.open;
  }
  sendDatagram(buf: Uint8Array, start: number): boolean {
    if (this.room <= 0) return false;
    this.room--;
    this.queue.push(buf[start] as number);
    return true;
  }
}

function link(paced: boolean): { l: PathLink; conn: FakeConn; pacer: BulkPacer } {
  const conn = new FakeConn();
  const l = fakeLink(conn);
  const pacer = new BulkPacer();
  pacer.onSample(-100, 10, 10, 8 * MBIT);
  pacer.onSample(0, 20, 10, 8 * MBIT); // pacing at 7.2 Mbit/s: 900 bytes/ms
  if (paced) l.pacer = pacer;
  l.queueLimit = 100;
  return { l, conn, pacer };
}

const dgram = (tag: number): Uint8Array => new Uint8Array(1400).fill(tag);

/** The driver's send: one held datagram into the fake quiche, paid to the pacer. */
const sender =
  (l: PathLink, conn: FakeConn, now: number) => (buf: Uint8Array, start: number, len: number) => {
    if (!conn.sendDatagram(buf, start)) return false;
    l.queued++;
    l.pacer?.consume(now, len);
    return true;
  };

describe('held bulk, driver side', () => {
  test('an unpaced path never holds', () => {
    const { l } = link(false);
    assert.equal(mustHold(l, ms(0)), false);
    assert.equal(holdRoom(l), true);
    assert.equal(heldDeadline(l, ms(0)), null);
  });

  test('a paced path holds once its bucket is dry, and then everything behind the first held', () => {
    const { l, pacer } = link(true);
    assert.equal(mustHold(l, ms(0)), false);
    while (pacer.consume(0, 1400));
    assert.equal(mustHold(l, ms(0)), true);
    assert.equal(holdBulk(l, dgram(1), 0, 1400), 'held');
    // The bucket refills, but a datagram is still held: the next one queues behind it (order).
    assert.equal(pacer.hasRoom(50), true);
    assert.equal(mustHold(l, ms(50)), true);
  });

  test('the queue fills to its bound: held-full, then refused; holdRoom follows', () => {
    const { l, pacer } = link(true);
    const limit = holdLimitBytes(pacer.rate);
    let results: string[] = [];
    for (let i = 0; i < Math.ceil(limit / 1400) + 2; i++) results.push(holdBulk(l, dgram(i), 0, 1400));
    results = [...new Set(results)];
    assert.deepEqual(results, ['held', 'held-full', 'refused']);
    assert.equal(holdRoom(l), false);
    assert.ok((l.held?.bytes ?? 0) <= limit);
  });

  test('drain: in order, as fast as the bucket refills, never past quiche room or the queue limit', () => {
    const { l, conn, pacer } = link(true);
    while (pacer.consume(0, 1400));
    for (let i = 0; i < 20; i++) holdBulk(l, dgram(i), 0, 1400);
    assert.equal(drainHeld(l, ms(0), sender(l, conn, 0)), 0, 'dry bucket: nothing yet');
    const at = heldDeadline(l, ms(0)) as number;
    assert.ok(at > 0 && at <= 3, `deadline ${at}`);
    // 10 ms at 900 bytes/ms: about 6 datagrams of 1400.
    const n = drainHeld(l, ms(10), sender(l, conn, 10));
    assert.ok(n >= 5 && n <= 8, `${n} sent after 10 ms`);
    assert.deepEqual(conn.queue, [...Array(n).keys()]);
    // quiche full: the rest stays, and the deadline is a short poll, not "now" (no busy loop).
    conn.room = 0;
    assert.equal(drainHeld(l, ms(100), sender(l, conn, 100)), 0);
    assert.equal(l.held?.size, 20 - n);
    assert.equal(heldDeadline(l, ms(100)), 101);
    // The bulk queue limit stops it too.
    conn.room = 1000;
    l.queueLimit = conn.queue.length + 2;
    assert.equal(drainHeld(l, ms(200), sender(l, conn, 200)), 2);
    l.queueLimit = 1000;
    assert.equal(drainHeld(l, ms(1000), sender(l, conn, 1000)) > 0, true);
    assert.deepEqual(conn.queue.slice(0, n + 2), [...Array(n + 2).keys()]);
  });

  test('the pacer released (or gone): held bulk drains at once', () => {
    const { l, conn, pacer } = link(true);
    while (pacer.consume(0, 1400));
    for (let i = 0; i < 10; i++) holdBulk(l, dgram(i), 0, 1400);
    l.pacer = null;
    assert.equal(drainHeld(l, ms(0), sender(l, conn, 0)), 10);
    assert.deepEqual(conn.queue, [...Array(10).keys()]);
    assert.equal(heldDeadline(l, ms(0)), null);
  });
});

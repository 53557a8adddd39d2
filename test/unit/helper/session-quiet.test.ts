// A PeerSession over two fake paths (wifi0 5 ms, lte0 30 ms) in the default mode (aggregate,
// weighted): when wifi0 stops answering, pings leave it after 2 x RTT + 25 ms (50 ms at least),
// seen at two batches (answer-watch.ts); bulk keeps being spread; an answer brings pings back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { packet, setup } from './two-paths.ts';

describe('a path that stops answering (quiet)', () => {
  test('pings leave it after 50 ms at the second late batch, and come back once it answers', () => {
    const { s, wifi, sendAt } = setup();
    const ping = (id: number) => packet(1, id, 64);
    assert.equal(sendAt(200, ping(1)), 'wifi0', 'the faster path');
    wifi.packetsIn++; // the reply
    assert.equal(sendAt(220, ping(2)), 'wifi0');
    // From here wifi0 answers nothing: the ping sent at 220 waits.
    assert.equal(sendAt(240, ping(3)), 'wifi0', '20 ms: not late');
    assert.equal(sendAt(260, ping(4)), 'wifi0', '40 ms: late by half, noticed');
    assert.equal(s.counters.quietTurns, 0);
    assert.equal(sendAt(280, ping(5)), 'lte0', '60 ms, seen before: quiet');
    assert.equal(sendAt(300, ping(6)), 'lte0');
    assert.equal(s.counters.quietTurns, 1);
    wifi.packetsIn++; // an answer after all
    assert.equal(sendAt(320, ping(7)), 'wifi0', 'heard: the fastest again');
    assert.equal(s.counters.quietTurns, 1);
  });

  test('bulk is still spread over quiet paths', () => {
    const { s, sendAt } = setup();
    const bulk = (id: number) => packet(17, id, 1200);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(sendAt(200 + i * 30, bulk(i)));
    assert.equal(s.counters.quietTurns, 2, 'neither path answered: both turned quiet');
    const after = new Set<string>();
    for (let i = 0; i < 6; i++) after.add(sendAt(400 + i, bulk(10 + i)));
    assert.deepEqual([...after].sort(), ['lte0', 'wifi0']);
  });

  test('a single late batch after a long pause (our loop was held up) is not enough', () => {
    const { s, wifi, sendAt } = setup();
    const ping = (id: number) => packet(1, id, 64);
    assert.equal(sendAt(200, ping(1)), 'wifi0');
    assert.equal(sendAt(500, ping(2)), 'wifi0', 'first look, 300 ms late: not yet');
    wifi.packetsIn++; // the answer was waiting in the socket
    assert.equal(sendAt(501, ping(3)), 'wifi0');
    assert.equal(s.counters.quietTurns, 0);
  });
});

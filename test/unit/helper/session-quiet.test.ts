// A PeerSession over two fake paths (wifi0 5 ms, lte0 30 ms) in the default mode (aggregate,
// weighted): when wifi0 stops answering, pings leave it after 2 x RTT + 25 ms (50 ms at least),
// seen at two batches (answer-watch.ts); bulk keeps being spread; an answer brings pings back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DATA_HEADER_LEN } from '../../../app/core/encap.ts';
import { classify, newFlowInfo } from '../../../app/core/flow.ts';
import { ipv4HeaderChecksum } from '../../../app/core/header-compress.ts';
import type { Millis, NodeId } from '../../../app/core/types.ts';
import { PacketPool } from '../../../app/helper/dataplane/packet-pool.ts';
import { PeerSession } from '../../../app/helper/dataplane/session.ts';
import { addActivePath, FakeConn, fakeLink } from './fake-link.ts';

const ms = (n: number) => n as Millis;

/** An IPv4 packet of protocol `proto` with `payload` bytes after a 20-byte header (ICMP echo
 *  request when proto is 1, UDP with ports 5000 -> 5001 when 17). */
function packet(proto: 1 | 17, id: number, payload: number): Uint8Array {
  const len = 20 + payload;
  const b = new Uint8Array(DATA_HEADER_LEN + len);
  const p = b.subarray(DATA_HEADER_LEN);
  p.set([0x45, 0, len >>> 8, len & 0xff, 0, id, 0x40, 0, 64, proto, 0, 0, 198, 19, 0, 2, 198, 19, 0, 1]);
  const c = ipv4HeaderChecksum(p, 0);
  p[10] = c >>> 8;
  p[11] = c & 0xff;
  if (proto === 1) p.set([8, 0, 0, 0, 0, 7, 0, id], 20);
  else p.set([0x13, 0x88, 0x13, 0x89, (payload >>> 8) & 0xff, payload & 0xff, 0, 0], 20);
  return b;
}

function setup() {
  const pool = new PacketPool(64, 2048);
  const s = new PeerSession(
    'gw' as NodeId,
    [],
    { mode: 'aggregate', strategy: 'weighted' },
    pool,
    () => {},
    () => {},
    () => 1,
    () => 0,
  );
  const wifi = new FakeConn();
  const lte = new FakeConn();
  addActivePath(s, fakeLink(wifi, 'wifi0', 'wifi', 0), 5);
  addActivePath(s, fakeLink(lte, 'lte0', 'cellular', 1), 30);
  s.pumpEvents(ms(100), () => {});
  const info = newFlowInfo();
  /** One TUN batch at `now` with one packet: which path it went on. */
  const sendAt = (now: number, pkt: Uint8Array): 'wifi0' | 'lte0' => {
    const [w, l] = [wifi.datagrams, lte.datagrams];
    s.refreshViews(ms(now));
    assert.ok(classify(pkt, pkt.length - DATA_HEADER_LEN, info, DATA_HEADER_LEN));
    assert.equal(s.sendIp(pkt, DATA_HEADER_LEN, pkt.length - DATA_HEADER_LEN, info, ms(now)), 1);
    assert.equal(wifi.datagrams - w + lte.datagrams - l, 1);
    return wifi.datagrams > w ? 'wifi0' : 'lte0';
  };
  return { s, wifi, sendAt };
}

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

// One-way blackholes in a PeerSession over two fake paths (two-paths.ts): the end whose traffic
// on wifi0 goes unanswered tells the peer on lte0 (pathHearing, peer-hearing.ts), and the end that
// is told moves its pings and its bulk off wifi0 until it is told otherwise, or the report ages.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ControlFrameReader } from '../../../app/core/control-frame.ts';
import type { ControlMessage } from '../../../app/core/control-messages.ts';
import { PEER_DEAF_HOLD_MS } from '../../../app/helper/dataplane/peer-hearing.ts';
import type { FakeConn } from './fake-link.ts';
import { ms, packet, setup } from './two-paths.ts';

/** The pathHearing messages `conn` carried, in order. */
function hearingSent(conn: FakeConn): { interface: string; hearing: boolean; seq: number }[] {
  const reader = new ControlFrameReader();
  const out: { interface: string; hearing: boolean; seq: number }[] = [];
  for (const frame of conn.control)
    for (const ev of reader.push(frame)) {
      const m = ev.ok ? (ev.message as ControlMessage) : null;
      if (m?.type === 'pathHearing') out.push({ interface: m.interface, hearing: m.hearing, seq: m.seq });
    }
  return out;
}

/** What the peer says about wifi0. */
const says = (hearing: boolean, seq: number) =>
  ({ type: 'pathHearing', interface: 'wifi0', hearing, seq }) as const;

const ping = (id: number) => packet(1, id, 64);
const bulk = (id: number) => packet(17, id, 1200);

describe('one-way blackholes (pathHearing)', () => {
  test('a path that stops answering is reported on another path, again while it lasts, then cleared', () => {
    const { s, wifi, lte, sendAt: send } = setup(true);
    // lte0 answers everything (the pings that leave wifi0 go there).
    const sendAt = (t: number, pkt: Uint8Array) => {
      lte.packetsIn++;
      return send(t, pkt);
    };
    assert.equal(sendAt(200, ping(1)), 'wifi0');
    wifi.packetsIn++;
    for (const t of [220, 240, 260]) sendAt(t, ping(t));
    assert.deepEqual(hearingSent(lte), [], 'answered until 220: nothing to say yet');
    sendAt(280, ping(5)); // 60 ms unanswered, seen before: quiet
    assert.deepEqual(hearingSent(lte), [{ interface: 'wifi0', hearing: false, seq: 1 }]);
    assert.deepEqual(hearingSent(wifi), [], 'not on the silent path itself');
    sendAt(400, ping(6));
    assert.equal(hearingSent(lte).length, 1, 'no repeat within 250 ms');
    sendAt(530, ping(7));
    assert.deepEqual(hearingSent(lte).at(-1), { interface: 'wifi0', hearing: false, seq: 2 }, 'repeated');
    wifi.packetsIn++; // heard again
    sendAt(540, ping(8));
    assert.deepEqual(hearingSent(lte).at(-1), { interface: 'wifi0', hearing: true, seq: 3 });
    const n = hearingSent(lte).length;
    wifi.packetsIn++;
    sendAt(900, ping(9));
    assert.equal(hearingSent(lte).length, n, 'nothing more while it answers');
    assert.equal(s.counters.hearingReports, n);
  });

  test('told that the peer does not hear us on wifi0: pings and bulk leave it until told again', () => {
    const { s, wifi, lteLink, sendAt } = setup();
    assert.equal(sendAt(200, ping(1)), 'wifi0', 'the faster path');
    wifi.packetsIn++;
    s.onControl(lteLink, says(false, 1), ms(210));
    assert.equal(s.counters.peerDeafTurns, 1);
    assert.equal(sendAt(220, ping(2)), 'lte0');
    for (let i = 0; i < 6; i++) assert.equal(sendAt(221 + i, bulk(10 + i)), 'lte0', 'bulk too');
    assert.equal(s.counters.hearingReports, 0, 'not echoed back: we still hear the peer');
    s.onControl(lteLink, says(true, 2), ms(230));
    assert.equal(sendAt(240, ping(3)), 'wifi0');
    wifi.packetsIn++;
    const spread = new Set<string>();
    for (let i = 0; i < 6; i++) spread.add(sendAt(241 + i, bulk(20 + i)));
    assert.deepEqual([...spread].sort(), ['lte0', 'wifi0'], 'bulk spread again');
  });

  test('a "not hearing you" that is not repeated holds for PEER_DEAF_HOLD_MS', () => {
    const { s, wifi, lteLink, sendAt } = setup();
    s.onControl(lteLink, says(false, 1), ms(200));
    assert.equal(sendAt(210, ping(1)), 'lte0');
    s.onControl(lteLink, says(false, 2), ms(600));
    assert.equal(s.counters.peerDeafTurns, 1, 'a repeat is not a new turn');
    assert.equal(sendAt(600 + PEER_DEAF_HOLD_MS - 1, ping(2)), 'lte0', 'renewed by the repeat');
    wifi.packetsIn++;
    assert.equal(sendAt(600 + PEER_DEAF_HOLD_MS, ping(3)), 'wifi0', 'aged out');
  });

  test('a report older than the last one taken is ignored (it came the slow way)', () => {
    // The laptop's "not hearing wifi0" went over a 600 ms path; its "hearing" after it, over
    // wifi0 itself, arrived first. Taking the stale one would keep replies off wifi0 for 1 s.
    const { s, wifi, lteLink, wifiLink, sendAt } = setup();
    s.onControl(wifiLink, says(true, 2), ms(200));
    s.onControl(lteLink, says(false, 1), ms(210));
    assert.equal(s.counters.peerDeafTurns, 0);
    wifi.packetsIn++;
    assert.equal(sendAt(220, ping(1)), 'wifi0');
  });
});

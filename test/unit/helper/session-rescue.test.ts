// A path whose window filled while the peer stopped answering there (a one-way blackhole: its
// ACKs die) holds datagrams in quiche's queue that will never leave. Once the path is quiet they
// go out on another path, unchanged (same sequence number), and the path takes no bulk until it
// answers again (PathSender.rescueQueued). Two fake paths: wifi0 5 ms, lte0 30 ms (two-paths.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DATA_HEADER_LEN } from '../../../app/core/encap.ts';
import { classify, newFlowInfo } from '../../../app/core/flow.ts';
import { ms, packet, setup } from './two-paths.ts';

const bulk = (id: number) => packet(17, id, 1200);

/**
 * Two paths, lte0's datagrams kept in its queue when `stuck` (a full window nobody ACKs), and a
 * clock from 200 ms. `batch(dt, id, answers)`: dt ms later, one TUN batch with one bulk packet;
 * both paths answered since the last batch unless told otherwise. The first 4 batches (10 ms
 * apart, both answered) have run: lte0 took a share of the bulk.
 */
function start(stuck: boolean) {
  const t = setup(true);
  t.lte.stuck = stuck;
  const info = newFlowInfo();
  let now = 200;
  const batch = (dt: number, id: number, answers: { wifi?: boolean; lte?: boolean } = {}) => {
    now += dt;
    if (answers.wifi !== false) t.wifi.packetsIn++;
    if (answers.lte !== false) t.lte.packetsIn++;
    t.s.refreshViews(ms(now));
    const p = bulk(id);
    assert.ok(classify(p, p.length - DATA_HEADER_LEN, info, DATA_HEADER_LEN));
    return t.s.sendIp(p, DATA_HEADER_LEN, p.length - DATA_HEADER_LEN, info, ms(now));
  };
  for (let i = 0; i < 4; i++) batch(10, i);
  return { ...t, batch };
}

describe('datagrams stuck on a path that stopped answering', () => {
  test('go out on the other path unchanged once it is quiet; it takes no bulk until heard', () => {
    // lte0 answered until 240 ms; from then on nothing comes back: its window stays full.
    const t = start(true);
    const batch = t.batch;
    const stuck = t.lte.queue.map((d) => d.slice());
    assert.ok(stuck.length >= 1, 'lte0 took a share of the bulk');
    for (let i = 4; i < 20; i++) batch(10, i, { lte: false });
    assert.equal(t.lte.queue.length, 0, 'the queue was taken back');
    assert.ok(t.s.counters.rescuedDatagrams >= stuck.length);
    const onWifi = t.wifi.sent.map((d) => Buffer.from(d).toString('hex'));
    for (const d of stuck)
      assert.ok(onWifi.includes(Buffer.from(d).toString('hex')), 'sent on wifi0 as it was');
    // Quiet and stuck: new bulk goes to wifi0 only.
    const before = t.lte.datagrams;
    for (let i = 20; i < 30; i++) batch(2, i, { lte: false });
    assert.equal(t.lte.datagrams, before, 'no bulk into the quiet path');
    // It answers again: bulk is spread over both once more.
    t.lte.stuck = false;
    for (let i = 30; i < 40; i++) batch(2, i);
    assert.ok(t.lte.datagrams > before, 'lte0 carries bulk again');
  });

  test('when no other path answers either, the queue stays and bulk still goes in', () => {
    const t = start(true);
    const batch = t.batch;
    const queued = t.lte.queue.length;
    assert.ok(queued >= 1);
    // The whole network goes silent: neither path answers.
    for (let i = 4; i < 20; i++) batch(10, i, { wifi: false, lte: false });
    assert.ok(t.s.counters.quietTurns >= 2, 'both paths turned quiet');
    const before = t.lte.queue.length;
    assert.ok(before >= queued, 'lte0 kept its queue');
    for (let i = 20; i < 30; i++) batch(2, i, { wifi: false, lte: false });
    assert.equal(t.s.counters.rescuedDatagrams, 0);
    assert.ok(t.lte.queue.length > before, 'lte0 still takes bulk');
  });

  test('a quiet path with nothing queued keeps its bulk (its window still has room)', () => {
    const t = start(false);
    const batch = t.batch;
    for (let i = 4; i < 20; i++) batch(10, i, { lte: false });
    assert.ok(t.s.counters.quietTurns >= 1, 'lte0 turned quiet');
    assert.equal(t.s.counters.rescuedDatagrams, 0);
    const before = t.lte.datagrams;
    for (let i = 20; i < 30; i++) batch(2, i, { lte: false });
    assert.ok(t.lte.datagrams > before, 'bulk still spread');
  });
});

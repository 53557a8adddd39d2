// Scenario (e): redundant scheduling over two lossy paths (seed §8.4.3.4).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Sim } from './lib/harness.ts';

describe('sim: redundant scheduling', () => {
  test('(e) 5 % loss on each path: interactive loss <= 0.5 %, duplicates removed at the receiver', (t) => {
    const sim = new Sim({
      seed: 5,
      paths: [
        { fwd: { rateBps: 50e6, delayMs: 15, loss: 0.05 } },
        { fwd: { rateBps: 50e6, delayMs: 25, loss: 0.05 } },
      ],
      scheduler: { mode: 'aggregate', strategy: 'redundant' },
      bulk: { rateBps: 10e6 },
      interactive: { intervalMs: 10, flows: 3 },
    });
    sim.run(200_000);
    const ia = sim.interactive;
    assert.ok(ia.sent > 19_000);
    const loss = 1 - ia.delivered / ia.sent;
    assert.ok(loss <= 0.005, `interactive loss ${(loss * 100).toFixed(3)} %`);
    // Both copies went out (except for the ~1-2 % of packets sent while a loss had just halved
    // one path's window below even the interactive allowance: those go out once), and the
    // receiver handed each packet up exactly once.
    for (const p of sim.paths) assert.ok(p.interactiveSent >= 0.97 * ia.sent, `path ${p.id} carried a copy`);
    assert.equal(ia.duplicatesDelivered, 0, 'no duplicate handed up');
    assert.ok(
      sim.reorder.counters.duplicates > 0.8 * ia.sent,
      `${sim.reorder.counters.duplicates} duplicates dropped`,
    );
    // 5 % loss does not demote or fail a path.
    assert.deepEqual(
      sim.stateLog.filter((e) => e.to === 'failed' || e.to === 'standby'),
      [],
    );
    t.diagnostic(
      `interactive loss ${(loss * 100).toFixed(3)} % (${ia.sent - ia.delivered}/${ia.sent}), copies per path ${sim.paths.map((p) => p.interactiveSent).join('/')}, duplicates dropped ${sim.reorder.counters.duplicates}`,
    );
  });
});

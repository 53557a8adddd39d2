// Scenario (e): redundant scheduling over two lossy paths (seed §8.4.3.4).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Sim } from './lib/harness.ts';

function run(redundantCopies: number): Sim {
  const sim = new Sim({
    seed: 5,
    paths: [
      { fwd: { rateBps: 50e6, delayMs: 15, loss: 0.05 } },
      { fwd: { rateBps: 50e6, delayMs: 25, loss: 0.05 } },
    ],
    scheduler: { mode: 'aggregate', strategy: 'redundant', redundantCopies },
    bulk: { rateBps: 10e6 },
    interactive: { intervalMs: 10, flows: 3 },
  });
  sim.run(200_000);
  return sim;
}

const lossOf = (sim: Sim): number => 1 - sim.interactive.delivered / sim.interactive.sent;

describe('sim: redundant scheduling', () => {
  test('(e) 5 % loss on each path, two copies: interactive loss <= 0.5 %, duplicates removed at the receiver', (t) => {
    const sim = run(2);
    const ia = sim.interactive;
    assert.ok(ia.sent > 19_000);
    const loss = lossOf(sim);
    assert.ok(loss <= 0.005, `interactive loss ${(loss * 100).toFixed(3)} %`);
    // Both copies went out (except for the ~1-2 % of packets sent while a loss had just halved
    // one path's window below even the interactive allowance: those go out once), and the
    // receiver handed each packet up exactly once.
    for (const p of sim.paths) {
      assert.ok(p.interactiveSent >= 0.97 * ia.sent, `path ${p.id} carried a copy`);
      // More only where one path had no room: the missing copy then went later, on the other.
      assert.ok(p.interactiveSent <= 1.05 * ia.sent, `path ${p.id} carried ${p.interactiveSent}`);
    }
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

  test('(e) three copies (the default): the third goes later on the fast path and cuts loss to ~p^3', (t) => {
    const two = run(2);
    const sim = run(3);
    const ia = sim.interactive;
    const loss = lossOf(sim);
    // p^3 = 0.0125 %; a few packets go out with fewer copies while a window is full.
    assert.ok(loss <= 0.001, `interactive loss ${(loss * 100).toFixed(3)} %`);
    assert.ok(loss < lossOf(two) / 3, `three copies ${loss} vs two ${lossOf(two)}`);
    const [fast, slow] = sim.paths;
    assert.ok(fast && slow);
    // The fast path (15 ms) carries the first and the spaced copy, the slow one the second.
    assert.ok(fast.interactiveSent >= 1.95 * ia.sent, `fast path carried ${fast.interactiveSent}`);
    assert.ok(slow.interactiveSent >= 0.97 * ia.sent && slow.interactiveSent <= 1.05 * ia.sent);
    assert.equal(ia.duplicatesDelivered, 0, 'no duplicate handed up');
    t.diagnostic(
      `interactive loss ${(loss * 100).toFixed(3)} % (${ia.sent - ia.delivered}/${ia.sent}) vs two copies ${(lossOf(two) * 100).toFixed(3)} %, copies per path ${sim.paths.map((p) => p.interactiveSent).join('/')}`,
    );
  });
});

// Scenario (g): packet-level spreading over a 10 ms and a 50 ms path; the receiver's reorder
// buffer restores order within its bounds (seed §8.4.4).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Sim } from './lib/harness.ts';

function run(capacity: number): Sim {
  const sim = new Sim({
    seed: 8,
    paths: [{ fwd: { rateBps: 50e6, delayMs: 10 } }, { fwd: { rateBps: 50e6, delayMs: 50 } }],
    scheduler: { mode: 'aggregate', strategy: 'round-robin' },
    bulk: { rateBps: 60e6 },
    reorder: { capacity },
  });
  sim.run(120_000);
  return sim;
}

describe('sim: reorder buffer', () => {
  test('(g) 10/50 ms paths: delivery is in order although arrival is not; the cap holds', (t) => {
    const sim = run(256);
    const arrivalRatio = sim.arrivalInOrder / (sim.arrivalInOrder + sim.arrivalOutOfOrder);
    const ratio = sim.inOrder / (sim.inOrder + sim.outOfOrder);
    assert.ok(
      arrivalRatio < 0.8,
      `network arrival in-order ratio ${arrivalRatio.toFixed(3)} (the spread reorders)`,
    );
    assert.ok(ratio >= 0.99, `delivered in-order ratio ${ratio.toFixed(4)}`);
    const c = sim.reorder.counters;
    assert.ok(c.maxHeld <= 256, `max held ${c.maxHeld}`);
    assert.ok(c.reordered > 1000, 'gaps were filled');
    assert.equal(c.readyOverflow, 0);
    t.diagnostic(
      `arrival in-order ${arrivalRatio.toFixed(3)}, delivered in-order ${ratio.toFixed(4)}, max held ${c.maxHeld}, late ${c.late}`,
    );
  });

  test('(g) a small cap is never exceeded: the buffer releases early instead of growing', () => {
    const sim = run(8);
    const c = sim.reorder.counters;
    assert.ok(c.maxHeld <= 8, `max held ${c.maxHeld}`);
    assert.ok(c.overflowReleases > 0, 'the cap forced releases');
    // Every sent bulk packet that arrived was handed up (late ones too), none twice.
    const arrived = sim.arrivalInOrder + sim.arrivalOutOfOrder;
    assert.equal(sim.inOrder + sim.outOfOrder + sim.reorder.held, arrived);
  });
});

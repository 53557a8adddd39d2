// Scenario (f): failover mode (seed §8.8.3 mode = "failover").

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deltas, mbps, Sim } from './lib/harness.ts';

describe('sim: failover mode', () => {
  test('(f) the backup carries 0 bytes while the primary is up and takes over when it fails', (t) => {
    const sim = new Sim({
      seed: 6,
      paths: [
        { fwd: { rateBps: 100e6, delayMs: 10, queueBytes: 100 * 1250 }, priority: 0 },
        { fwd: { rateBps: 50e6, delayMs: 30, queueBytes: 100 * 1250 }, priority: 1 },
      ],
      scheduler: { mode: 'failover', strategy: 'weighted' },
      bulk: { rateBps: 40e6 },
      interactive: { intervalMs: 50 },
    });
    sim.at(30_000, () => sim.setPathUp(0, false));
    sim.run(60_000);
    const backup = sim.paths[1];
    assert.ok(backup);
    const failAt = sim.stateLog.find((e) => e.path === 0 && e.to === 'failed')?.t;
    assert.ok(failAt !== undefined && failAt - 30_000 <= 3000, `primary failed at ${failAt}`);
    const perInterval = deltas(backup.series);
    const beforeOutage = perInterval.slice(0, 30_000 / 500).reduce((a, b) => a + b, 0);
    assert.equal(beforeOutage, 0, 'backup idle while the primary is up');
    // After the primary is declared failed, the backup carries the whole 40 Mbit/s load.
    const after = perInterval.slice(Math.ceil(failAt / 500) + 2);
    const rate = mbps(
      after.reduce((a, b) => a + b, 0),
      after.length * 500,
    );
    assert.ok(rate > 36, `backup carries ${rate.toFixed(1)} Mbit/s after failover`);
    assert.ok(backup.interactiveSent > 0, 'interactive traffic moved too');
    // Both paths were Active all along until the failure: failover is a scheduling choice.
    assert.equal(sim.pm.state(backup.id)?.kind, 'active');
    t.diagnostic(
      `failover after ${(failAt - 30_000).toFixed(0)} ms, backup then carried ${rate.toFixed(1)} Mbit/s`,
    );
  });

  test('(f) traffic moves back to the primary when it returns', () => {
    const sim = new Sim({
      seed: 7,
      paths: [
        { fwd: { rateBps: 100e6, delayMs: 10 }, priority: 0 },
        { fwd: { rateBps: 50e6, delayMs: 30 }, priority: 1 },
      ],
      scheduler: { mode: 'failover', strategy: 'round-robin' },
      bulk: { rateBps: 20e6 },
    });
    sim.at(10_000, () => sim.setPathUp(0, false));
    sim.at(14_000, () => sim.setPathUp(0, true));
    sim.run(60_000);
    const back = sim.stateLog.find((e) => e.path === 0 && e.to === 'active' && e.t > 14_000);
    assert.ok(back, 'primary active again');
    const backup = deltas(sim.paths[1]?.series ?? []);
    const later = backup.slice(Math.ceil(back.t / 500) + 2).reduce((a, b) => a + b, 0);
    assert.equal(later, 0, 'backup idle again once the primary is back');
  });
});

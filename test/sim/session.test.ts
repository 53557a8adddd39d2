// Scenario (h): every path fails (seed §8.6.2): the session is Degraded, reconnect attempts
// back off and are bounded, and traffic resumes when a path returns.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_ATTEMPTS, RETRY_MAX_MS } from '../../app/core/multipath/session-machine.ts';
import { deltas, Sim } from './lib/harness.ts';

function twoPaths(seed: number): Sim {
  return new Sim({
    seed,
    paths: [{ fwd: { rateBps: 50e6, delayMs: 10 } }, { fwd: { rateBps: 50e6, delayMs: 20 } }],
    scheduler: { mode: 'aggregate', strategy: 'weighted' },
    bulk: { rateBps: 30e6 },
  });
}

describe('sim: all paths fail', () => {
  test('(h) degraded with backed-off, bounded reconnects; recovers when a path returns', (t) => {
    const sim = twoPaths(10);
    sim.at(20_000, () => {
      sim.setPathUp(0, false);
      sim.setPathUp(1, false);
    });
    sim.at(80_000, () => sim.setPathUp(0, true));
    sim.run(150_000);
    const kinds = sim.sessionLog.map((e) => e.to);
    assert.deepEqual(kinds, ['connecting', 'connected', 'degraded', 'connected']);
    const degradedAt = sim.sessionLog[2]?.t ?? 0;
    const recoveredAt = sim.sessionLog[3]?.t ?? 0;
    assert.ok(degradedAt > 20_000 && degradedAt <= 23_000, `degraded at ${degradedAt}`);
    assert.ok(
      recoveredAt > 80_000 && recoveredAt <= 80_000 + RETRY_MAX_MS + 5000,
      `recovered at ${recoveredAt}`,
    );
    // Reconnect attempts while degraded: spaced by a doubling, capped delay; few of them.
    const attempts = sim.connectAttempts.filter((a) => a.t > degradedAt && a.t < recoveredAt);
    assert.ok(attempts.length >= 3 && attempts.length <= MAX_ATTEMPTS, `${attempts.length} attempts`);
    const gaps = attempts.slice(1).map((a, i) => a.t - (attempts[i]?.t ?? 0));
    for (let i = 1; i < gaps.length; i++) assert.ok((gaps[i] as number) >= (gaps[i - 1] as number) - 1e-6);
    assert.ok(Math.max(...gaps) <= RETRY_MAX_MS + 1e-6);
    // Traffic flows again after recovery.
    const goodput = deltas(sim.goodputSeries);
    const after = goodput.slice(Math.ceil(recoveredAt / 500) + 2).reduce((a, b) => a + b, 0);
    assert.ok(after > 0, 'traffic resumed');
    t.diagnostic(
      `degraded after ${(degradedAt - 20_000).toFixed(0)} ms; attempts at +${attempts.map((a) => ((a.t - degradedAt) / 1000).toFixed(0)).join(', +')} s; recovered ${((recoveredAt - 80_000) / 1000).toFixed(1)} s after the path returned`,
    );
  });

  test('(h) a long outage exhausts the attempts (error: unreachable), and a returning path still recovers', () => {
    const sim = twoPaths(11);
    sim.at(10_000, () => {
      sim.setPathUp(0, false);
      sim.setPathUp(1, false);
    });
    sim.at(400_000, () => sim.setPathUp(1, true));
    sim.run(480_000);
    const kinds = sim.sessionLog.map((e) => e.to);
    assert.deepEqual(kinds, ['connecting', 'connected', 'degraded', 'error', 'connected']);
    const attempts = sim.connectAttempts.filter((a) => a.t > 10_000);
    assert.equal(attempts.length, MAX_ATTEMPTS, 'bounded attempts');
    assert.equal(sim.session.state.kind, 'connected');
  });
});

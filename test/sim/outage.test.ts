// Scenarios (c) and (i): a path dies without anyone telling the helper (no link-down event; the
// cable is fine but the ISP is gone), and an idle backup dies the same way (seed §8.6.1).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deltas, mbps, Sim } from './lib/harness.ts';

const link100 = { rateBps: 100e6, delayMs: 10, queueBytes: 100 * 1250 };
const SAMPLE_MS = 500;

describe('sim: path outage', () => {
  test('(c) outage at 30 s: Failed within 3 s, traffic continues on the survivor, path comes back', (t) => {
    const sim = new Sim({
      seed: 3,
      paths: [{ fwd: { ...link100 } }, { fwd: { ...link100 } }],
      scheduler: { mode: 'aggregate', strategy: 'weighted' },
      bulk: { rateBps: 250e6 },
    });
    sim.at(30_000, () => sim.setPathUp(1, false));
    sim.at(50_000, () => sim.setPathUp(1, true));
    sim.run(100_000);

    const failed = sim.stateLog.find((e) => e.path === 1 && e.to === 'failed');
    assert.ok(failed, 'path 1 marked failed');
    const detectMs = failed.t - 30_000;
    assert.ok(detectMs > 0 && detectMs <= 3000, `detected after ${detectMs.toFixed(0)} ms`);
    assert.equal(
      sim.stateLog.filter((e) => e.path === 0 && e.to === 'failed').length,
      0,
      'survivor never failed',
    );

    // From the first whole interval after detection until the outage ends: every 0.5 s interval
    // delivers at least 50 % of the surviving path's 100 Mbit/s.
    const goodput = deltas(sim.goodputSeries);
    const first = Math.ceil(failed.t / SAMPLE_MS);
    const last = 50_000 / SAMPLE_MS - 1;
    const during = goodput.slice(first, last + 1).map((b) => mbps(b, SAMPLE_MS));
    assert.ok(during.length > 30);
    const worst = Math.min(...during);
    assert.ok(worst >= 50, `worst 0.5 s interval during the outage: ${worst.toFixed(1)} Mbit/s`);
    const onDead = deltas(sim.paths[1]?.series ?? []).slice(first, last + 1);
    assert.ok(
      onDead.every((b) => b === 0),
      'nothing delivered over the dead path',
    );

    // Back: the failed path is re-probed on its backoff (1, 2, 4, 8, 16 s, capped at 30 s) and
    // turns Active again, then carries traffic again.
    const back = sim.stateLog.find((e) => e.path === 1 && e.to === 'active' && e.t > 50_000);
    assert.ok(back, 'path 1 active again after the outage');
    assert.ok(
      back.t - 50_000 <= 35_000,
      `reactivated ${((back.t - 50_000) / 1000).toFixed(1)} s after the outage`,
    );
    const after = deltas(sim.paths[1]?.series ?? []).slice(Math.ceil(back.t / SAMPLE_MS) + 4);
    assert.ok(after.reduce((a, b) => a + b, 0) > 0, 'path 1 carries traffic again');
    // Re-probes during the 20 s outage follow the doubling backoff: few, not one per second.
    const reprobes = sim.stateLog.filter(
      (e) => e.path === 1 && e.to === 'probing' && e.t > 30_000 && e.t < 50_000,
    );
    assert.ok(reprobes.length >= 2 && reprobes.length <= 5, `${reprobes.length} re-probes during the outage`);
    t.diagnostic(
      `detect ${detectMs.toFixed(0)} ms, worst interval ${worst.toFixed(1)} Mbit/s, back after ${((back.t - 50_000) / 1000).toFixed(1)} s, re-probes ${reprobes.length}`,
    );
  });

  test('(i) an idle standby path that dies is found dead within ~3 s', (t) => {
    const sim = new Sim({
      seed: 9,
      paths: [{ fwd: { ...link100 } }, { fwd: { rateBps: 20e6, delayMs: 40 } }],
      scheduler: { mode: 'failover', strategy: 'weighted' },
      bulk: { rateBps: 50e6 },
    });
    sim.at(20_000, () => sim.setPathUp(1, false));
    sim.run(40_000);
    assert.equal(sim.paths[1]?.deliveredBytes, 0, 'backup carried no data');
    const failed = sim.stateLog.find((e) => e.path === 1 && e.to === 'failed');
    assert.ok(failed, 'backup marked failed');
    const detectMs = failed.t - 20_000;
    assert.ok(detectMs > 0 && detectMs <= 3000, `idle backup found dead after ${detectMs.toFixed(0)} ms`);
    t.diagnostic(`idle backup found dead after ${detectMs.toFixed(0)} ms`);
  });
});

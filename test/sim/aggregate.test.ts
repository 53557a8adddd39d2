// Scenarios (a) and (b): bandwidth aggregation over two equal paths (seed §8.9.1 #3).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deltas, mbps, Sim } from './lib/harness.ts';

const link100 = { rateBps: 100e6, delayMs: 10, queueBytes: 100 * 1250 };

describe('sim: aggregation', () => {
  test('(a) two equal 100 Mbit/s paths, aggregate, saturating load: >= 180 Mbit/s, ~half each', (t) => {
    const sim = new Sim({
      seed: 1,
      paths: [{ fwd: { ...link100 } }, { fwd: { ...link100 } }],
      scheduler: { mode: 'aggregate', strategy: 'weighted' },
      bulk: { rateBps: 250e6 },
    });
    sim.run(120_000);
    // Steady state: from 5 s on (both paths Active and windows grown).
    const from = 10; // 500 ms samples
    const goodput = deltas(sim.goodputSeries).slice(from);
    const total = goodput.reduce((a, b) => a + b, 0);
    const rate = mbps(total, goodput.length * 500);
    assert.ok(rate >= 180, `aggregate goodput ${rate.toFixed(1)} Mbit/s`);
    const shares = sim.paths.map((p) =>
      deltas(p.series)
        .slice(from)
        .reduce((a, b) => a + b, 0),
    );
    const share0 = (shares[0] as number) / ((shares[0] as number) + (shares[1] as number));
    assert.ok(share0 > 0.45 && share0 < 0.55, `path 0 share ${share0.toFixed(3)}`);
    t.diagnostic(`aggregate goodput ${rate.toFixed(1)} Mbit/s, path 0 share ${share0.toFixed(3)}`);
    // Nothing failed or got demoted on the way.
    assert.deepEqual(
      sim.stateLog.filter((e) => e.to !== 'active' && e.to !== 'probing'),
      [],
    );
  });

  test('(b) weighted 2:1 config weights on equal paths, load within capacity: shares ~2:1', (t) => {
    const sim = new Sim({
      seed: 2,
      paths: [
        { fwd: { ...link100 }, weight: 2 },
        { fwd: { ...link100 }, weight: 1 },
      ],
      scheduler: { mode: 'aggregate', strategy: 'weighted' },
      bulk: { rateBps: 120e6 },
    });
    sim.run(120_000);
    const from = 10;
    const shares = sim.paths.map((p) =>
      deltas(p.series)
        .slice(from)
        .reduce((a, b) => a + b, 0),
    );
    const ratio = (shares[0] as number) / (shares[1] as number);
    assert.ok(ratio > 1.8 && ratio < 2.2, `share ratio ${ratio.toFixed(3)}`);
    const total = mbps(
      (shares[0] as number) + (shares[1] as number),
      (sim.goodputSeries.length - from) * 500,
    );
    assert.ok(total > 110, `carried ${total.toFixed(1)} of 120 Mbit/s offered`);
    t.diagnostic(`share ratio ${ratio.toFixed(3)}, carried ${total.toFixed(1)} Mbit/s`);
  });
});

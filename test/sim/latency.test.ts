// Scenario (d): a 10 ms broadband path next to a 600 ms satellite path (seed §8.9.1 #4).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { percentile, Sim } from './lib/harness.ts';

describe('sim: latency-aware scheduling', () => {
  test('(d) interactive packets all take the fast path; so does bulk, which fills it', (t) => {
    const sim = new Sim({
      seed: 4,
      paths: [
        { fwd: { rateBps: 50e6, delayMs: 10 } },
        // Satellite modems have deep buffers (here 1 MB): slow start is not cut short at once.
        { fwd: { rateBps: 50e6, delayMs: 600, queueBytes: 1_000_000 } },
      ],
      scheduler: {
        mode: 'aggregate',
        strategy: 'latency-aware',
        interactiveMaxRttMs: 50,
        bulkMinBandwidthMbps: 5,
      },
      bulk: { rateBps: 80e6 },
      interactive: { intervalMs: 20, flows: 4 },
    });
    sim.run(120_000);
    const [fast, slow] = sim.paths;
    assert.ok(fast && slow);
    assert.equal(sim.pm.state(slow.id)?.kind, 'active', 'the slow path is Active (slow, not degraded)');
    assert.equal(slow.interactiveSent, 0, 'no interactive packet on the 600 ms path');
    assert.ok(fast.interactiveSent > 5000);
    // Bulk stays on the fast path: one flow split over 10 and 600 ms paths would run at the
    // pace of the slow one (latency-aware.ts, BULK_RTT_*); the fast path runs full.
    const total = fast.deliveredBytes + slow.deliveredBytes;
    assert.ok(
      slow.deliveredBytes < 0.01 * total,
      `slow path share ${(slow.deliveredBytes / total).toFixed(3)}`,
    );
    const fastMbps = (fast.deliveredBytes * 8) / 120 / 1e6;
    assert.ok(fastMbps > 0.8 * 50, `fast path carries ${fastMbps.toFixed(1)} Mbit/s of its 50`);
    const ia = sim.interactive;
    assert.equal(ia.delivered, ia.delays.length);
    assert.ok(ia.delivered >= 0.99 * ia.sent, `${ia.delivered}/${ia.sent} interactive delivered`);
    // One-way delay: 10 ms propagation + queueing behind the bulk sharing the fast path
    // (at most one 64-packet queue = 12.8 ms at 50 Mbit/s) + waiting for the window.
    const p99 = percentile(ia.delays, 99);
    assert.ok(p99 <= 10 + 25, `interactive p99 one-way delay ${p99.toFixed(1)} ms`);
    t.diagnostic(
      `interactive p50 ${percentile(ia.delays, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; bulk share on slow path ${(slow.deliveredBytes / (fast.deliveredBytes + slow.deliveredBytes)).toFixed(2)}`,
    );
  });
});

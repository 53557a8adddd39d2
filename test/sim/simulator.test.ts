// The simulator's own building blocks: if these were wrong, the scenario results would mean nothing.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EventLoop } from './lib/event-loop.ts';
import { Sim } from './lib/harness.ts';
import { Link } from './lib/link.ts';
import { Prng } from './lib/prng.ts';

describe('simulator', () => {
  test('event loop runs in time order, same-time events in scheduling order', () => {
    const loop = new EventLoop();
    const seen: string[] = [];
    loop.at(5, () => seen.push('b'));
    loop.at(1, () => seen.push('a'));
    loop.at(5, () => seen.push('c'));
    loop.at(9, () => seen.push('late'));
    loop.run(6);
    assert.deepEqual(seen, ['a', 'b', 'c']);
    assert.equal(loop.now, 6);
  });

  test('link: serialization at its rate, propagation delay, drop-tail at the queue limit', () => {
    const loop = new EventLoop();
    const link = new Link(loop, new Prng(1), { rateBps: 8e6, delayMs: 10, queueBytes: 5000 });
    const arrivals: number[] = [];
    let drops = 0;
    // 1000 bytes at 8 Mbit/s = 1 ms each. Ten back to back: the queue holds 5000 bytes.
    for (let i = 0; i < 10; i++)
      link.send(
        1000,
        () => arrivals.push(loop.now),
        () => drops++,
      );
    loop.run(1000);
    assert.deepEqual(
      arrivals.map((t) => Math.round(t * 1000) / 1000),
      [11, 12, 13, 14, 15],
    );
    assert.equal(drops, 5);
  });

  test('link: an outage loses what is in flight; jitter never reorders', () => {
    const loop = new EventLoop();
    const link = new Link(loop, new Prng(2), { rateBps: 1e9, delayMs: 50, jitterMs: 30 });
    const got: number[] = [];
    let lost = 0;
    for (let i = 0; i < 100; i++)
      loop.at(i, () =>
        link.send(
          100,
          () => got.push(i),
          () => lost++,
        ),
      );
    loop.at(120, () => link.setUp(false));
    loop.run(1000);
    assert.ok(got.length > 20 && got.length < 100, `${got.length} delivered`);
    assert.equal(got.length + lost, 100);
    assert.deepEqual(
      got,
      [...got].sort((a, b) => a - b),
    );
  });

  test('same seed, same run', () => {
    const run = (): string => {
      const sim = new Sim({
        seed: 42,
        paths: [
          { fwd: { rateBps: 20e6, delayMs: 10, loss: 0.01, jitterMs: 5 } },
          { fwd: { rateBps: 10e6, delayMs: 30 } },
        ],
        scheduler: { mode: 'aggregate', strategy: 'weighted' },
        bulk: { rateBps: 25e6 },
        interactive: { intervalMs: 20 },
      });
      sim.run(10_000);
      return JSON.stringify([sim.goodputSeries, sim.paths.map((p) => p.series), sim.interactive.delays]);
    };
    assert.equal(run(), run());
  });
});

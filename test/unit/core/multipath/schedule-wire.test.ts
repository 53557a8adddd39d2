import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type SchedulerConfig,
  scheduleMessageOf,
  schedulerConfigOf,
} from '../../../../app/core/multipath/index.ts';

const own: SchedulerConfig = {
  mode: 'aggregate',
  strategy: 'weighted',
  interactiveMaxRttMs: 150,
  bulkMinBandwidthMbps: 0,
};

describe('schedule message <-> scheduler config', () => {
  test('every mode and strategy survives the round trip, under the config file names', () => {
    for (const mode of ['disable', 'aggregate', 'failover'] as const) {
      for (const strategy of ['round-robin', 'weighted', 'latency-aware', 'redundant'] as const) {
        const cfg: SchedulerConfig = {
          mode,
          strategy,
          interactiveMaxRttMs: 80,
          bulkMinBandwidthMbps: 5,
          redundantCopies: 2,
        };
        const msg = scheduleMessageOf(cfg);
        assert.equal(msg.scheduler, strategy === 'latency-aware' ? 'latency' : strategy);
        assert.deepEqual(schedulerConfigOf(msg, own), cfg);
      }
    }
  });

  test('unknown names are refused as a whole (the gateway keeps its own)', () => {
    assert.equal(schedulerConfigOf({ type: 'schedule', mode: 'bonded', scheduler: 'weighted' }, own), null);
    assert.equal(schedulerConfigOf({ type: 'schedule', mode: 'aggregate', scheduler: 'ecf' }, own), null);
    assert.equal(
      schedulerConfigOf({ type: 'schedule', mode: 'aggregate', scheduler: 'latency-aware' }, own),
      null,
    );
    assert.equal(
      schedulerConfigOf({ type: 'schedule', mode: 'aggregate', scheduler: 'toString' }, own),
      null,
    );
  });

  test('missing or out-of-range policy numbers fall back to our own', () => {
    const base = { type: 'schedule', mode: 'failover', scheduler: 'latency' } as const;
    assert.deepEqual(schedulerConfigOf(base, own), {
      mode: 'failover',
      strategy: 'latency-aware',
      interactiveMaxRttMs: 150,
      bulkMinBandwidthMbps: 0,
    });
    const bad = schedulerConfigOf({ ...base, interactiveMaxRttMs: -1, bulkMinBandwidthMbps: 1e9 }, own);
    assert.deepEqual([bad?.interactiveMaxRttMs, bad?.bulkMinBandwidthMbps], [150, 0]);
    const zero = schedulerConfigOf({ ...base, interactiveMaxRttMs: 0 }, own);
    assert.equal(zero?.interactiveMaxRttMs, 150);
    const good = schedulerConfigOf({ ...base, interactiveMaxRttMs: 40, bulkMinBandwidthMbps: 2 }, own);
    assert.deepEqual([good?.interactiveMaxRttMs, good?.bulkMinBandwidthMbps], [40, 2]);
    const ownCopies: SchedulerConfig = { ...own, redundantCopies: 3 };
    for (const [sent, used] of [
      [2, 2],
      [4, 4],
      [1, 3],
      [5, 3],
      [1e9, 3],
    ] as const)
      assert.equal(schedulerConfigOf({ ...base, redundantCopies: sent }, ownCopies)?.redundantCopies, used);
    assert.equal(schedulerConfigOf(base, ownCopies)?.redundantCopies, 3);
  });
});

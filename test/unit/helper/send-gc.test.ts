import assert from 'node:assert/strict';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import { loadMinorGc, PACKETS_PER_SCAVENGE, SendGc } from '../../../app/helper/dataplane/send-gc.ts';

/** Kinds of the GC entries V8 reports while `f` runs (and the observer's next tick). */
async function gcKindsDuring(f: () => void): Promise<number[]> {
  const kinds: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) kinds.push((e as { detail?: { kind?: number } }).detail?.kind ?? -1);
  });
  obs.observe({ entryTypes: ['gc'] });
  f();
  await new Promise((r) => setTimeout(r, 20));
  obs.disconnect();
  return kinds;
}

describe('SendGc', () => {
  test('collects once per PACKETS_PER_SCAVENGE packets sent, between batches', () => {
    let runs = 0;
    const gc = new SendGc(() => runs++);
    for (let i = 0; i < 100; i++) {
      gc.sent(64);
      gc.collectIfDue();
    }
    // 6400 packets: due after 2048, 4096 and 6144 (32 batches of 64 each).
    assert.equal(runs, Math.floor(6400 / PACKETS_PER_SCAVENGE));
    assert.equal(gc.runs, runs);
  });

  test('an idle tunnel never collects', () => {
    let runs = 0;
    const gc = new SendGc(() => runs++, 10);
    for (let i = 0; i < 1000; i++) {
      gc.sent(0);
      assert.equal(gc.collectIfDue(), false);
    }
    gc.sent(9);
    assert.equal(gc.collectIfDue(), false, 'one short of the threshold');
    assert.equal(runs, 0);
  });

  test('without a collector it only counts', () => {
    const gc = new SendGc(null, 1);
    gc.sent(1000);
    assert.equal(gc.collectIfDue(), false);
    assert.equal(gc.runs, 0);
  });

  test("loadMinorGc runs a real scavenge, and leaves no gc() in the helper's global scope", async () => {
    const hadGc = 'gc' in globalThis;
    const minor = loadMinorGc();
    assert.ok(minor, 'V8 gave no gc()');
    assert.equal('gc' in globalThis, hadGc);
    const kinds = await gcKindsDuring(() => minor());
    assert.ok(kinds.includes(constants.NODE_PERFORMANCE_GC_MINOR), `kinds seen: ${kinds.join(',')}`);
    assert.ok(!kinds.includes(constants.NODE_PERFORMANCE_GC_MAJOR), 'a minor collection, not a full one');
  });
});

// The scheduler runs once per packet (~16 k/s at 180 Mbit/s): a pick must not allocate. Measured
// with V8's sampling heap profiler (objects GC collected included), one process per strategy
// (fixtures/pick-alloc.ts). Before: the eligible-path check made a closure per pick (~96 bytes
// compiled, ~390 under tsx's keepNames wrapper: 50 of the laptop helper's 135 MB allocated in 8 s
// of one 180 Mbit/s flow), and the weighted credits were doubles in a plain array (~43 bytes).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const FIXTURE = fileURLToPath(new URL('./fixtures/pick-alloc.ts', import.meta.url));

// latency-aware passed its bulk RTT limit (a double) into the weighted pick, boxed when that call
// was not inlined (~16 bytes per pick); the pick works it out itself now.
for (const strategy of ['round-robin', 'weighted', 'latency-aware']) {
  test(`aggregate ${strategy}: a pick allocates nothing`, async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', FIXTURE, strategy], {
      timeout: 60_000,
    });
    const { bytes, picks } = JSON.parse(stdout) as { bytes: number; picks: number };
    // A few samples are the profiler's own work; one boxed number per pick is 3.2 MB here.
    assert.ok(bytes / picks < 4, `${(bytes / picks).toFixed(1)} bytes per pick (${bytes} in ${picks})`);
  });
}

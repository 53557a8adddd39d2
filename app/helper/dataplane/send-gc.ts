// Short, frequent young-generation collections instead of long, rare ones, while packets flow.
//
// Why: quiche's binding returns, with every packet it hands us (Connection.send), a SendInfo
// whose `at` is a napi External. Each one is a self-deleting weak global handle, and V8 walks
// every weak handle that died young in each scavenge. At 85 Mbit/s a helper sends ~7,500
// packets/s and its young generation (16 MB semi-spaces) fills every ~1.7 s: the scavenge then
// sweeps ~28,000 dead handles and stops the event loop for 4-10 ms (measured with
// --trace-gc-nvp: 2.2-3.6 ms in external_weak_global_handles, 1.3-4.5 ms in
// weak_global_handles.process; an in-process quic-dgram run showed 56,000 per scavenge and
// 9-14 ms). A ping that arrives during such a pause waits for it, and the bulk that piled up
// behind it reaches the bottleneck at once: `latency` bench, 9 runs, 0-14 pings over the goal.
//
// A minor GC of our own after every PACKETS_PER_SCAVENGE packets sent bounds the handles per
// scavenge: each takes ~1-1.5 ms, and V8's own rarely run. An idle tunnel sends nothing, so it
// never collects.

import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Runs one young-generation (scavenge) collection, synchronously. */
export type MinorGc = () => void;

/**
 * Packets sent between two of our collections: ~2,000 dead handles (under 0.5 ms to sweep) and
 * about 2 MB of young objects at 85 Mbit/s, 4 collections a second.
 */
export const PACKETS_PER_SCAVENGE = 2048;

/**
 * V8's gc() as a minor collection, or null when the runtime refuses. `--expose-gc` only installs
 * gc() in contexts created afterwards, so it is switched on for one new context and off again:
 * the helper's own global scope never gets a `gc`.
 */
export function loadMinorGc(): MinorGc | null {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    v8.setFlagsFromString('--no-expose-gc');
    if (typeof gc !== 'function') return null;
    const run = gc as (opts: { type: 'minor' }) => void;
    return () => run({ type: 'minor' });
  } catch {
    return null;
  }
}

/** Counts packets sent and runs a minor GC, between batches, once enough have gone out. */
export class SendGc {
  private pending = 0;
  /** Collections run so far. */
  runs = 0;

  constructor(
    private readonly collect: MinorGc | null,
    private readonly every = PACKETS_PER_SCAVENGE,
  ) {}

  /** `n` packets left through quiche. */
  sent(n: number): void {
    this.pending += n;
  }

  /** Collects if due; call where the event loop is between batches. True when it collected. */
  collectIfDue(): boolean {
    if (this.collect === null || this.pending < this.every) return false;
    this.pending = 0;
    this.runs++;
    this.collect();
    return true;
  }
}

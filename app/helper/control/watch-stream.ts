// One statistics subscription on one connection. Every interval it asks the source for a sample
// and writes it, unless the connection's outbound buffer is above WATCH_HIGH_WATER_BYTES: then
// it skips the tick and, once the socket drains, writes ONE fresh sample carrying the number of
// skipped ticks (`coalesced`). Latest wins; nothing queues, so a paused or slow reader holds at
// most the high-water mark plus one frame of the helper's memory (SECURITY rule 4).

import type { SampleEvent } from '../../protocol/schema.ts';
import { StatsSampleSchema } from '../../protocol/schema.ts';
import type { StatsSource } from './helper-api.ts';

/**
 * Outbound bytes above which samples are coalesced. A sample frame is ~0.3-2 KiB, so 64 KiB is
 * dozens of samples of slack for a briefly busy reader, and small enough not to matter in RSS.
 */
export const WATCH_HIGH_WATER_BYTES = 64 * 1024;

export interface WatchSink {
  /** Bytes buffered in user space waiting for the socket (net.Socket#writableLength). */
  readonly writableLength: number;
  send(msg: SampleEvent): void;
  /** Called for a sample that failed validation (a HelperApi bug); the tick is skipped. */
  onBadSample(error: string): void;
}

export class WatchStream {
  private timer: NodeJS.Timeout | null = null;
  private skipped = 0;
  private awaitingDrain = false;
  /** Total samples dropped for this subscriber (observability, tests). */
  coalescedTotal = 0;
  sent = 0;

  constructor(
    readonly watchId: number,
    readonly intervalMs: number,
    private readonly source: StatsSource,
    private readonly sink: WatchSink,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  /** The connection calls this on the socket's 'drain' event. */
  onDrain(): void {
    if (!this.awaitingDrain || !this.running) return;
    this.awaitingDrain = false;
    this.emit();
  }

  private tick(): void {
    if (this.sink.writableLength >= WATCH_HIGH_WATER_BYTES) {
      this.skipped++;
      this.coalescedTotal++;
      this.awaitingDrain = true;
      return;
    }
    this.awaitingDrain = false;
    this.emit();
  }

  private emit(): void {
    const parsed = StatsSampleSchema.safeParse(this.source.sample());
    if (!parsed.success) {
      this.sink.onBadSample(parsed.error.message);
      return;
    }
    this.sink.send({
      type: 'event',
      watchId: this.watchId,
      kind: 'sample',
      sample: parsed.data,
      coalesced: this.skipped,
    });
    this.skipped = 0;
    this.sent++;
  }
}

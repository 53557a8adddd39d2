// One direction of a simulated network path: a FIFO bottleneck with a rate (serialization), a
// bounded drop-tail queue, a one-way propagation delay with jitter (never reordering within the
// link, like a real link), random loss, outages and rate changes.
//
// The queue is modelled by the time the transmitter is busy until: backlog = (busyUntil - now) ×
// rate, which is exact for a single FIFO server, so a packet costs one event (its arrival).

import type { EventLoop } from './event-loop.ts';
import type { Prng } from './prng.ts';

export interface LinkConfig {
  /** Bottleneck rate in bits per second. */
  rateBps: number;
  /** One-way propagation delay, ms. */
  delayMs: number;
  /** Extra delay uniform in [0, jitterMs), ms. */
  jitterMs?: number;
  /** Random loss probability per packet. */
  loss?: number;
  /** Queue limit in bytes (drop-tail). Default: 64 full-size packets' worth of 1250 bytes. */
  queueBytes?: number;
}

export class Link {
  up = true;
  private busyUntil = 0;
  private lastArrival = 0;
  /** Bumped on every outage: packets sent before it are lost in flight. */
  private epoch = 0;
  sentPackets = 0;
  droppedQueue = 0;
  droppedRandom = 0;
  droppedDown = 0;

  constructor(
    private readonly loop: EventLoop,
    private readonly rng: Prng,
    readonly config: LinkConfig,
  ) {}

  setRate(rateBps: number): void {
    this.config.rateBps = rateBps;
  }

  setUp(up: boolean): void {
    if (this.up && !up) {
      this.epoch++;
      this.busyUntil = this.loop.now;
    }
    this.up = up;
  }

  /** Bytes waiting in the queue now. */
  backlogBytes(): number {
    return (Math.max(0, this.busyUntil - this.loop.now) * this.config.rateBps) / 8000;
  }

  /** Sends `size` bytes; exactly one of onArrive / onDrop is called, onDrop at the drop time. */
  send(size: number, onArrive: () => void, onDrop: () => void): void {
    const now = this.loop.now;
    const c = this.config;
    this.sentPackets++;
    if (!this.up) {
      this.droppedDown++;
      onDrop();
      return;
    }
    if (this.backlogBytes() + size > (c.queueBytes ?? 64 * 1250)) {
      this.droppedQueue++;
      onDrop();
      return;
    }
    const txDone = Math.max(now, this.busyUntil) + (size * 8000) / c.rateBps;
    this.busyUntil = txDone;
    if (this.rng.chance(c.loss ?? 0)) {
      this.droppedRandom++;
      this.loop.at(txDone, onDrop);
      return;
    }
    const jitter = c.jitterMs ? this.rng.next() * c.jitterMs : 0;
    const arrival = Math.max(txDone + c.delayMs + jitter, this.lastArrival);
    this.lastArrival = arrival;
    const epoch = this.epoch;
    this.loop.at(arrival, () => {
      if (epoch === this.epoch && this.up) onArrive();
      else {
        this.droppedDown++;
        onDrop();
      }
    });
  }
}

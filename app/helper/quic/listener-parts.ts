// Small pieces of QuicListener: drop counters and the bounded queue of stateless Retry packets.
import { quiche } from './native.ts';
import type { HostPort, PacketSink } from './types.ts';

export type DropReason =
  | 'too-short'
  | 'garbage'
  | 'unknown-cid'
  | 'not-initial'
  | 'bad-version'
  | 'pending-full'
  | 'full'
  | 'bad-token'
  | 'retry-queue-full'
  /** Initial packet protection did not verify (random bytes shaped like an Initial). */
  | 'undecryptable'
  /** Passed every check, but quiche's accept or first recv of it failed: a Connection built and thrown away. */
  | 'accept-failed'
  /** Over its source address's Retry bucket (address-limiter.ts). */
  | 'retry-rate'
  /** Over its source address's connection bucket. */
  | 'accept-rate'
  /** Over the global connection bucket. */
  | 'accept-rate-global';

/** What the listener did with packets it could not route; the packet path counts, it does not log. */
export class ListenerCounters {
  readonly dropped: Record<DropReason, number> = {
    'too-short': 0,
    garbage: 0,
    'unknown-cid': 0,
    'not-initial': 0,
    'bad-version': 0,
    'pending-full': 0,
    full: 0,
    'bad-token': 0,
    'retry-queue-full': 0,
    undecryptable: 0,
    'accept-failed': 0,
    'retry-rate': 0,
    'accept-rate': 0,
    'accept-rate-global': 0,
  };
  retries = 0;
  accepted = 0;
  rejected = 0;
  handshakeTimeouts = 0;

  drop(reason: DropReason): void {
    this.dropped[reason]++;
  }

  get droppedTotal(): number {
    let n = 0;
    for (const v of Object.values(this.dropped)) n += v;
    return n;
  }
}

/** Retry packets waiting for the next flush. 64: one flush per read batch empties it; a flood overflows and is dropped. */
const RETRY_QUEUE = 64;
/** A Retry is ~1 + 4 + 2x21 + token (~40) + 16 bytes: well under 256. */
const RETRY_BUF = 256;

/** What RetryQueue.push did: queued in a free slot, queued in place of another address's, or dropped. */
export type RetryPush = 'queued' | 'replaced' | 'full';

/**
 * Retry packets built for the next flush, in fixed buffers. When it is full, a newcomer takes the
 * slot of the address holding the most slots (if that address holds more than the newcomer would),
 * so one busy address cannot crowd out the others: overflow is shed by fairness, not arrival order.
 */
export class RetryQueue {
  private readonly bufs: Uint8Array[];
  private readonly lens: Uint16Array;
  private readonly dests: HostPort[];
  private readonly keys: string[];
  private count = 0;

  constructor(readonly capacity: number = RETRY_QUEUE) {
    this.bufs = Array.from({ length: capacity }, () => new Uint8Array(RETRY_BUF));
    this.lens = new Uint16Array(capacity);
    this.dests = new Array<HostPort>(capacity);
    this.keys = new Array<string>(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** `key` groups destinations for fairness (the rate-limit address key of `to`). */
  push(
    clientScid: Uint8Array,
    clientDcid: Uint8Array,
    retryScid: Uint8Array,
    token: Uint8Array,
    version: number,
    to: HostPort,
    key: string,
  ): RetryPush {
    let slot = this.count;
    let result: RetryPush = 'queued';
    if (slot >= this.capacity) {
      slot = this.victimFor(key);
      if (slot < 0) return 'full';
      result = 'replaced';
    }
    const buf = this.bufs[slot];
    if (buf === undefined) return 'full';
    let len: number;
    try {
      len = quiche.retry(clientScid, clientDcid, retryScid, token, version, buf);
    } catch {
      return 'full';
    }
    this.lens[slot] = len;
    this.dests[slot] = to;
    this.keys[slot] = key;
    if (result === 'queued') this.count++;
    return result;
  }

  drain(sink: PacketSink): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) {
      const src = this.bufs[i];
      const to = this.dests[i];
      const len = this.lens[i] ?? 0;
      if (src === undefined || to === undefined) continue;
      if (typeof sink === 'function') {
        sink(src, len, to);
      } else {
        const out = sink.nextBuffer();
        if (out === null) break; // sink full: the rest of the Retries are dropped, clients retransmit
        out.set(src.subarray(0, len));
        sink.commit(len, to);
      }
      n++;
    }
    this.count = 0;
    return n;
  }

  /** Last slot of the address with the most slots, if it has more than `key` would after joining; else -1. O(capacity), only when full. */
  private victimFor(key: string): number {
    const counts = new Map<string, number>();
    let top = '';
    let topCount = 0;
    for (let i = 0; i < this.count; i++) {
      const k = this.keys[i] ?? '';
      const c = (counts.get(k) ?? 0) + 1;
      counts.set(k, c);
      if (c > topCount) {
        top = k;
        topCount = c;
      }
    }
    if ((counts.get(key) ?? 0) + 1 >= topCount) return -1;
    for (let i = this.count - 1; i >= 0; i--) if (this.keys[i] === top) return i;
    return -1;
  }
}

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
  | 'undecryptable';

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

export class RetryQueue {
  private readonly bufs: Uint8Array[] = Array.from({ length: RETRY_QUEUE }, () => new Uint8Array(RETRY_BUF));
  private readonly lens = new Uint16Array(RETRY_QUEUE);
  private readonly dests = new Array<HostPort>(RETRY_QUEUE);
  private count = 0;

  push(
    clientScid: Uint8Array,
    clientDcid: Uint8Array,
    retryScid: Uint8Array,
    token: Uint8Array,
    version: number,
    to: HostPort,
  ): boolean {
    const buf = this.bufs[this.count];
    if (buf === undefined) return false;
    let len: number;
    try {
      len = quiche.retry(clientScid, clientDcid, retryScid, token, version, buf);
    } catch {
      return false;
    }
    this.lens[this.count] = len;
    this.dests[this.count] = to;
    this.count++;
    return true;
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
}

// Rate limits on the listener's handshake work, per source address and overall (SECURITY.md P2).
//
// Two things a handshake flood can make us do: send Retry packets (cheap, but an echo loop) and
// build quiche Connections (native TLS state that only the garbage collector frees). Each source
// address gets a token bucket for each, kept in an LRU map of bounded size, and connections also
// pass one global bucket. Over a limit, the listener drops silently and counts.
//
// Addresses are keyed by IP, not port (a flooder has 64k ports); IPv6 by its /64 (one host
// commonly owns a whole /64). Clients behind one NAT share a bucket: the burst leaves room for a
// few of them connecting at once. Time is the listener's clock (ms), passed in.

/** A token bucket's parameters: `ratePerSec` tokens refill per second, up to `burst`. */
export interface BucketSpec {
  readonly ratePerSec: number;
  readonly burst: number;
}

/**
 * Retries per source address: 10/s, burst 20. A real client needs one per connection (one per
 * path, a laptop has 2-3) plus a retransmission or two; a flood from one address gets 10 per second.
 */
export const RETRY_PER_ADDRESS: BucketSpec = { ratePerSec: 10, burst: 20 };
/**
 * Connections created per source address (token-bearing Initials accepted): 5/s, burst 10. A
 * laptop opens one per path, and reconnects at most every second or so.
 */
export const ACCEPT_PER_ADDRESS: BucketSpec = { ratePerSec: 5, burst: 10 };
/**
 * Connections created overall: 200/s, burst 64 (the pending-handshake cap). A gateway restart
 * brings back a few hundred paths within seconds; more than that per second is a flood from many
 * addresses, and each accept costs a TLS handshake state (tens of KiB) until the GC frees it.
 */
export const ACCEPT_GLOBAL: BucketSpec = { ratePerSec: 200, burst: 64 };
/**
 * Addresses remembered: 4096 x ~100 bytes = ~400 KiB. An address evicted by a many-address flood
 * comes back with a full bucket, which only costs its burst once more.
 */
export const MAX_TRACKED_ADDRESSES = 4096;

/** A token bucket: starts full; `take` refills by elapsed time, then spends one token if it can. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly spec: BucketSpec,
    nowMs: number,
  ) {
    this.tokens = spec.burst;
    this.at = nowMs;
  }

  take(nowMs: number): boolean {
    if (nowMs > this.at) {
      this.tokens = Math.min(
        this.spec.burst,
        this.tokens + ((nowMs - this.at) * this.spec.ratePerSec) / 1000,
      );
      this.at = nowMs;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

interface AddressBuckets {
  retry: TokenBucket;
  accept: TokenBucket;
}

export interface AddressLimiterOptions {
  retryPerAddress?: BucketSpec;
  acceptPerAddress?: BucketSpec;
  acceptGlobal?: BucketSpec;
  maxAddresses?: number;
}

export type AcceptVerdict = 'ok' | 'address' | 'global';

export class AddressLimiter {
  private readonly byAddress = new Map<string, AddressBuckets>();
  private readonly retrySpec: BucketSpec;
  private readonly acceptSpec: BucketSpec;
  private readonly maxAddresses: number;
  private readonly global: TokenBucket;

  constructor(opts: AddressLimiterOptions = {}, nowMs = 0) {
    this.retrySpec = opts.retryPerAddress ?? RETRY_PER_ADDRESS;
    this.acceptSpec = opts.acceptPerAddress ?? ACCEPT_PER_ADDRESS;
    this.maxAddresses = Math.max(1, opts.maxAddresses ?? MAX_TRACKED_ADDRESSES);
    this.global = new TokenBucket(opts.acceptGlobal ?? ACCEPT_GLOBAL, nowMs);
  }

  /** Addresses currently tracked (never more than maxAddresses). */
  get size(): number {
    return this.byAddress.size;
  }

  /** May we send `host` a Retry now? Spends a token if so. */
  allowRetry(host: string, nowMs: number): boolean {
    return this.buckets(host, nowMs).retry.take(nowMs);
  }

  /**
   * May `host` create a connection now? The address's bucket is asked first, so one address's
   * flood cannot spend the global bucket beyond its own share.
   */
  allowAccept(host: string, nowMs: number): AcceptVerdict {
    if (!this.buckets(host, nowMs).accept.take(nowMs)) return 'address';
    return this.global.take(nowMs) ? 'ok' : 'global';
  }

  /** The address's buckets, marked most recently used; the least recently used is evicted past the cap. */
  private buckets(host: string, nowMs: number): AddressBuckets {
    const key = addressKey(host);
    let b = this.byAddress.get(key);
    if (b !== undefined) {
      this.byAddress.delete(key); // re-insert: Map order is the LRU order
    } else {
      b = { retry: new TokenBucket(this.retrySpec, nowMs), accept: new TokenBucket(this.acceptSpec, nowMs) };
      if (this.byAddress.size >= this.maxAddresses) {
        const oldest = this.byAddress.keys().next();
        if (oldest.done !== true) this.byAddress.delete(oldest.value);
      }
    }
    this.byAddress.set(key, b);
    return b;
  }
}

/**
 * The rate-limit key of an IP literal: IPv4 as is (also when IPv4-mapped), IPv6 as its /64.
 * Anything unparsable is its own key.
 */
export function addressKey(host: string): string {
  if (!host.includes(':')) return host;
  let h = host;
  const zone = h.indexOf('%');
  if (zone >= 0) h = h.slice(0, zone);
  const lower = h.toLowerCase();
  if (lower.startsWith('::ffff:') && lower.includes('.')) return lower.slice(7);
  const halves = lower.split('::');
  if (halves.length > 2) return lower;
  const head = halves[0] === '' || halves[0] === undefined ? [] : halves[0].split(':');
  const tail = halves.length === 2 && halves[1] !== '' && halves[1] !== undefined ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? Math.max(0, 8 - head.length - tail.length) : 0;
  const groups = [...head, ...new Array<string>(fill).fill('0'), ...tail];
  const prefix = groups.slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16));
  return `${prefix.join(':')}::/64`;
}

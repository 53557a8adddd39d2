// Bounded exponential backoff for reconnecting to the helper (STYLE rule 9: retry loops are
// bounded). Delays grow base·2^n up to `maxMs` and stay there; jitter spreads reconnects of many
// windows/clients after a helper restart so they do not arrive in one burst.

export interface BackoffPolicy {
  /** First delay. 250 ms: a helper being restarted by systemd is usually back within a second. */
  readonly baseMs: number;
  /** Ceiling. 15 s: slow enough to cost nothing while the helper is absent, quick enough that the UI recovers soon after it starts. */
  readonly maxMs: number;
  /** Fraction of the delay removed at random (0..1). 0.2 keeps delays within 80-100 % of nominal. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 15_000, jitter: 0.2 };

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    /** Uniform in [0, 1); injected so tests are deterministic. */
    private readonly random: () => number = Math.random,
  ) {
    if (!(policy.baseMs > 0) || !(policy.maxMs >= policy.baseMs))
      throw new RangeError('backoff: need 0 < baseMs <= maxMs');
    if (!(policy.jitter >= 0 && policy.jitter <= 1))
      throw new RangeError('backoff: jitter must be in [0, 1]');
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** Delay before the next attempt; each call counts one more failure. */
  next(): number {
    // Cap the exponent so 2^n never overflows to Infinity however long the helper stays away.
    const exp = Math.min(this.attempt, 30);
    this.attempt++;
    const nominal = Math.min(this.policy.maxMs, this.policy.baseMs * 2 ** exp);
    const r = Math.min(Math.max(this.random(), 0), 1);
    return Math.round(nominal * (1 - this.policy.jitter * r));
  }

  /** Call after a successful connection. */
  reset(): void {
    this.attempt = 0;
  }
}

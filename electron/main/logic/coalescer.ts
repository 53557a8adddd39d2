// Latest-value-wins rate limiter between the helper's stats stream and the UI. The UI gets at
// most one value per `minIntervalMs`; values arriving in between replace each other, so memory
// is one slot however slow the consumer is (SECURITY rule 4). A value is never delayed longer
// than `minIntervalMs` after the previous emission (trailing edge), so the last sample of a burst
// always reaches the screen.
import type { Cancel, Clock } from './clock.ts';

export interface Coalescer<T> {
  push(value: T): void;
  /** Drops any pending value and its timer. */
  cancel(): void;
  /** Values replaced before they were emitted (for diagnostics). */
  readonly dropped: number;
}

export function createCoalescer<T>(
  minIntervalMs: number,
  clock: Clock,
  emit: (value: T) => void,
): Coalescer<T> {
  if (!(minIntervalMs > 0)) throw new RangeError('coalescer: minIntervalMs must be > 0');
  let lastEmit = Number.NEGATIVE_INFINITY;
  let pending: { value: T } | null = null;
  let timer: Cancel | null = null;
  let dropped = 0;

  const flush = (): void => {
    timer = null;
    if (!pending) return;
    const { value } = pending;
    pending = null;
    lastEmit = clock.now();
    emit(value);
  };

  return {
    push(value: T): void {
      const since = clock.now() - lastEmit;
      if (pending) dropped++;
      pending = { value };
      if (timer) return;
      if (since >= minIntervalMs) flush();
      else timer = clock.setTimeout(flush, minIntervalMs - since);
    },
    cancel(): void {
      timer?.();
      timer = null;
      pending = null;
    },
    get dropped() {
      return dropped;
    },
  };
}

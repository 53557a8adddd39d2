// Fixed-capacity ring buffer: memory is allocated once and never grows, however long the
// dashboard stays open (SECURITY rule 4 applies to the UI too).

export class Ring<T> {
  private readonly buf: (T | undefined)[];
  private head = 0; // index of the oldest element
  private len = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('ring capacity must be a positive integer');
    this.buf = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.len;
  }

  /** Appends; when full, the oldest element is overwritten. */
  push(v: T): void {
    const tail = (this.head + this.len) % this.capacity;
    this.buf[tail] = v;
    if (this.len < this.capacity) this.len++;
    else this.head = (this.head + 1) % this.capacity;
  }

  /** Newest element, if any. */
  last(): T | undefined {
    return this.len === 0 ? undefined : this.buf[(this.head + this.len - 1) % this.capacity];
  }

  /** Oldest to newest, as a fresh array (for charts). */
  toArray(): T[] {
    const out: T[] = new Array<T>(this.len);
    for (let i = 0; i < this.len; i++) out[i] = this.buf[(this.head + i) % this.capacity] as T;
    return out;
  }
}

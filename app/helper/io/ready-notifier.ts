// Level-triggered readiness for the JS backends (dgram fallback, fakes), matching the native
// uv_poll behaviour: while a callback is set and `pending()` is true, the callback runs once per
// event-loop turn (setImmediate), never synchronously from set() or kick(). A callback that
// throws is unset (the exception propagates as uncaught), as in native/src/fdhandle.c.

export class ReadyNotifier {
  private cb: (() => void) | null = null;
  private scheduled = false;

  constructor(private readonly pending: () => boolean) {}

  set(cb: (() => void) | null): void {
    this.cb = cb;
    this.kick();
  }

  /** Call when `pending()` may have become true. Cheap when already scheduled. */
  kick(): void {
    if (this.scheduled || !this.cb || !this.pending()) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const cb = this.cb;
    if (!cb || !this.pending()) return;
    let threw = true;
    try {
      cb();
      threw = false;
    } finally {
      // Like the native poller: a throwing callback is unset, so it cannot throw every turn.
      if (threw) this.cb = null;
      else this.kick();
    }
  };
}

/** One-shot writability for backends that are writable whenever not over their in-flight bound. */
export class WritableNotifier {
  private cb: (() => void) | null = null;
  private scheduled = false;

  constructor(private readonly writable: () => boolean) {}

  arm(cb: (() => void) | null): void {
    this.cb = cb;
    this.kick();
  }

  kick(): void {
    if (this.scheduled || !this.cb || !this.writable()) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const cb = this.cb;
    if (!cb || !this.writable()) return;
    this.cb = null;
    cb();
  };
}

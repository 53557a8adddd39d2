// Readiness plumbing shared by the ports written in JS (the dgram fallback and the fakes): a
// level-triggered readable notifier and a one-shot writable notifier, with the closed-port rules
// of ports.ts. The native ports get the same behaviour from the addon's uv_poll.
import { closedError } from './io-error.ts';
import { ReadyNotifier, WritableNotifier } from './ready-notifier.ts';

export abstract class NotifyingPort {
  protected isClosed = false;
  protected readonly readable = new ReadyNotifier(() => this.hasPending());
  protected readonly writable = new WritableNotifier(() => this.canWrite());

  /** Packets are waiting to be read. */
  protected abstract hasPending(): boolean;
  /** A write now would be accepted. */
  protected abstract canWrite(): boolean;

  get closed(): boolean {
    return this.isClosed;
  }

  onReadable(cb: (() => void) | null): void {
    if (this.isClosed) {
      if (cb) throw closedError('onReadable');
      return;
    }
    this.readable.set(cb);
  }

  onWritable(cb: (() => void) | null): void {
    if (this.isClosed) {
      if (cb) throw closedError('onWritable');
      return;
    }
    this.writable.arm(cb);
  }
}

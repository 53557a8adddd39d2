// Inner-header compression for one session, both directions (header-compress.ts is the codec,
// header-contexts.ts the context tables): compresses what we send once the peer holds the flow's
// context, defines contexts over the control stream, rebuilds what the peer compressed.
import type { ControlMessage } from '../../core/control-messages.ts';
import { contextOf, decompress } from '../../core/header-compress.ts';
import { HcReceiver, HcSender } from '../../core/header-contexts.ts';
import type { Millis } from '../../core/types.ts';
import { type PacketPool, POOL_HEADROOM } from './packet-pool.ts';
import type { PathLink } from './path-link.ts';

/** One hcUnknown per context per this many ms: a burst of packets under a lost context asks once. */
const UNKNOWN_TELL_MS = 100;

export interface InnerHeaderCounters {
  /** Compressed packets that named a context we do not hold (dropped; the peer is told). */
  unknownContextDrops: number;
  /** Datagrams that did not decode (here: a compressed packet that does not rebuild). */
  badHeaderDrops: number;
}

export class InnerHeaders {
  /** Null unless the peer announced "hc-v1" (and our config allows it). */
  private tx: HcSender | null = null;
  private readonly rx = new HcReceiver();
  private readonly unknownToldAt = new Map<number, number>();

  constructor(
    /** The path to send control messages on (the lowest-RTT one), or null without a path. */
    private readonly controlLink: () => PathLink | null,
    private readonly markDirty: (link: PathLink) => void,
    private readonly counters: InnerHeaderCounters,
  ) {}

  /** Compress toward the peer, or not. */
  setEnabled(on: boolean): void {
    if (!on) this.tx = null;
    else if (!this.tx) this.tx = new HcSender();
  }

  /** A new session began (either end restarted): every context is void, both directions. */
  reset(): void {
    this.rx.reset();
    this.tx?.reset();
  }

  /** Compresses buf[off, off+len) in place if it can; returns the bytes saved (0: sent whole). */
  compress(buf: Uint8Array, off: number, len: number, flow: number, now: Millis): number {
    const hc = this.tx;
    if (!hc) return 0;
    const saving = hc.compress(buf, off, len, flow, now);
    if (hc.toDefine.length > 0) this.sendDefinitions(hc);
    return saving;
  }

  /**
   * Rebuilds the compressed packet `payload` (an exact view: the copy then makes no view of its
   * own) into a pool slot and returns the slot, or -1 when it was dropped (unknown context:
   * counted and the peer told; malformed: counted; pool exhausted: counted by the pool).
   */
  rebuild(link: PathLink, payload: Uint8Array, pool: PacketPool, now: Millis): number {
    const id = contextOf(payload, 0);
    if (!this.rx.has(id)) {
      this.counters.unknownContextDrops++;
      this.tellUnknown(link, id, now);
      return -1;
    }
    const slot = pool.claim();
    if (slot < 0) return -1;
    const at = pool.offset(slot);
    const n = decompress(
      payload,
      0,
      payload.length,
      this.rx.templates,
      pool.slab,
      at,
      pool.slotSize - POOL_HEADROOM,
    );
    if (n < 0) {
      pool.release(slot);
      this.counters.badHeaderDrops++;
      return -1;
    }
    pool.lens[slot] = n;
    return slot;
  }

  /** Handles hcDefine / hcAck / hcUnknown; false for any other message. */
  onControl(link: PathLink, msg: ControlMessage, now: Millis): boolean {
    if (msg.type === 'hcDefine') {
      if (this.rx.define(msg.id, msg.template)) {
        this.unknownToldAt.delete(msg.id);
        link.sendControl({ type: 'hcAck', id: msg.id, template: msg.template });
        this.markDirty(link);
      }
    } else if (msg.type === 'hcAck') this.tx?.onAck(msg.id, msg.template);
    else if (msg.type === 'hcUnknown') {
      const hc = this.tx;
      if (!hc) return true;
      hc.onUnknown(msg.id, now);
      if (hc.toDefine.length > 0) this.sendDefinitions(hc);
    } else return false;
    return true;
  }

  /** Sends the definitions `hc` queued, on the lowest-RTT path. */
  private sendDefinitions(hc: HcSender): void {
    const link = this.controlLink();
    for (const id of hc.toDefine) {
      const template = hc.templateOf(id);
      if (link && template) link.sendControl({ type: 'hcDefine', id, template });
    }
    hc.toDefine.length = 0; // without a path: sent again after DEFINE_RETRY_MS
    if (link) this.markDirty(link);
  }

  private tellUnknown(link: PathLink, id: number, now: Millis): void {
    const at = this.unknownToldAt.get(id);
    if (at !== undefined && now - at < UNKNOWN_TELL_MS) return;
    if (this.unknownToldAt.size > 1024) this.unknownToldAt.clear();
    this.unknownToldAt.set(id, now);
    link.sendControl({ type: 'hcUnknown', id });
    this.markDirty(link);
  }
}

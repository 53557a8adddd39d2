// The context tables of inner-header compression (header-compress.ts): what each end remembers
// per flow. The sender gives a flow a context at its second compressible packet, defines it with
// the peer over the control stream (hcDefine) and compresses only once the peer acknowledged it
// (hcAck); the receiver keeps the templates by ID. Pure: no I/O, the caller passes `now`.

import { compressInPlace, MAX_CONTEXTS, TEMPLATE_LEN, templateOf, validTemplate } from './header-compress.ts';
import type { Millis } from './types.ts';

/**
 * A context idle this long may be reused for another flow, ms. 60 s: no packet of the old flow can
 * still be in flight or held by a reorder buffer (those hold for at most a few hundred ms).
 */
export const CONTEXT_IDLE_MS = 60_000;
/** A definition not acknowledged within this time is sent again (its path may have died), ms. */
export const DEFINE_RETRY_MS = 1000;
/**
 * A flow's context is defined at its second compressible packet, not its first: a flow of one
 * packet (a SYN of a port scan, a lone RST) would cost a control message and gain nothing.
 */
export const DEFINE_AT_PACKET = 2;

/**
 * The receiving side: templates by context ID, as the peer defined them. The tables grow with the
 * highest ID defined (a sender hands IDs out from 0), so a gateway's idle sessions cost ~1 KiB
 * each, not the 272 KiB of a full table.
 */
export class HcReceiver {
  templates = new Uint8Array(64 * TEMPLATE_LEN);
  private known = new Uint8Array(64);
  private count = 0;

  /** Stores (or replaces) a context; false for an ID out of range or a template we cannot use. */
  define(id: number, tpl: Uint8Array): boolean {
    if (!Number.isInteger(id) || id < 0 || id >= MAX_CONTEXTS || !validTemplate(tpl)) return false;
    if (id >= this.known.length) this.grow(id);
    this.templates.set(tpl, id * TEMPLATE_LEN);
    if (this.known[id] === 0) this.count++;
    this.known[id] = 1;
    return true;
  }

  has(id: number): boolean {
    return this.known[id] === 1; // undefined past the table: not known
  }

  get size(): number {
    return this.count;
  }

  /** Forgets every context (the peer started a new session). */
  reset(): void {
    this.known.fill(0);
    this.count = 0;
  }

  private grow(id: number): void {
    let n = this.known.length;
    while (n <= id) n *= 2;
    n = Math.min(n, MAX_CONTEXTS);
    const known = new Uint8Array(n);
    known.set(this.known);
    const templates = new Uint8Array(n * TEMPLATE_LEN);
    templates.set(this.templates);
    this.known = known;
    this.templates = templates;
  }
}

interface Context {
  readonly id: number;
  readonly tpl: Uint8Array;
  readonly flow: number;
  acked: boolean;
  /** Compressible packets seen, up to DEFINE_AT_PACKET. */
  packets: number;
  sentAt: number;
  lastUsed: number;
  /** The next context of another flow whose key collided with this one's. */
  next: Context | null;
}

/** The sending side: a context per flow (and template), defined with the peer before use. */
export class HcSender {
  private readonly byFlow = new Map<number, Context>();
  private readonly byId: (Context | undefined)[] = [];
  private readonly free: number[] = [];
  private nextFresh = 0;
  private noRoomUntil = 0;
  private readonly tpl = new Uint8Array(TEMPLATE_LEN);
  /** IDs whose definition should be sent now; the caller drains it (`templateOf` gives the template). */
  readonly toDefine: number[] = [];

  constructor(private readonly capacity = MAX_CONTEXTS) {}

  /**
   * Compresses buf[off, off+len) in place if its flow's context is acknowledged, and returns the
   * bytes saved (the packet then starts at off + saving), or 0 when it must cross whole (another
   * shape of packet, a context not yet acknowledged: its definition is queued in `toDefine`).
   */
  compress(buf: Uint8Array, off: number, len: number, flow: number, now: Millis): number {
    const hl = templateOf(buf, off, len, this.tpl);
    if (hl < 0) return 0;
    const c = this.contextFor(flow, now);
    if (!c) return 0;
    c.lastUsed = now;
    if (!c.acked) {
      if (c.packets < DEFINE_AT_PACKET) c.packets++;
      if (c.packets === DEFINE_AT_PACKET && (c.sentAt < 0 || now - c.sentAt >= DEFINE_RETRY_MS)) {
        c.sentAt = now;
        this.toDefine.push(c.id);
      }
      return 0;
    }
    return compressInPlace(buf, off, hl, c.id);
  }

  /** The template of a context to define, or undefined for an ID no longer in use. */
  templateOf(id: number): Uint8Array | undefined {
    return this.byId[id]?.tpl;
  }

  /** The peer stored context `id` as `tpl`: packets may use it from now on. */
  onAck(id: number, tpl: Uint8Array): void {
    const c = this.byId[id];
    if (c && sameTemplate(c.tpl, tpl)) c.acked = true;
  }

  /** The peer does not know context `id` (it lost its state): define it again before using it. */
  onUnknown(id: number, now: Millis): void {
    const c = this.byId[id];
    if (!c?.acked) return;
    c.acked = false;
    c.sentAt = now;
    this.toDefine.push(id);
  }

  /** Contexts in use. */
  get size(): number {
    let n = 0;
    for (const c of this.byId) if (c) n++;
    return n;
  }

  /** Forgets every context (the peer started a new session and knows none of them). */
  reset(): void {
    this.byFlow.clear();
    this.byId.length = 0;
    this.free.length = 0;
    this.toDefine.length = 0;
    this.nextFresh = 0;
    this.noRoomUntil = 0;
  }

  private contextFor(flow: number, now: Millis): Context | null {
    for (let c = this.byFlow.get(flow) ?? null; c; c = c.next) if (sameTemplate(c.tpl, this.tpl)) return c;
    const id = this.allocate(now);
    if (id < 0) return null;
    const c: Context = {
      id,
      tpl: this.tpl.slice(),
      flow,
      acked: false,
      packets: 0,
      sentAt: -1,
      lastUsed: now,
      next: this.byFlow.get(flow) ?? null, // allocate() may have evicted the old head
    };
    this.byFlow.set(flow, c);
    this.byId[id] = c;
    return c;
  }

  private allocate(now: Millis): number {
    if (this.nextFresh < this.capacity) return this.nextFresh++;
    if (this.free.length === 0 && now >= this.noRoomUntil) {
      this.evictIdle(now);
      // Every context in use: flows without one cross whole; look again in a second, not per packet.
      if (this.free.length === 0) this.noRoomUntil = now + 1000;
    }
    return this.free.pop() ?? -1;
  }

  private evictIdle(now: Millis): void {
    for (const c of this.byId) {
      if (!c || now - c.lastUsed < CONTEXT_IDLE_MS) continue;
      this.byId[c.id] = undefined;
      let head = this.byFlow.get(c.flow) ?? null;
      if (head === c) head = c.next;
      else for (let p = head; p; p = p.next) if (p.next === c) p.next = c.next;
      if (head) this.byFlow.set(c.flow, head);
      else this.byFlow.delete(c.flow);
      this.free.push(c.id);
    }
  }
}

function sameTemplate(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

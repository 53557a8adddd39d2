// The driver side of held bulk (core/multipath/held-bulk.ts): a paced path's bulk that the
// pacer has no room for waits in the path's queue, then leaves in order as the bucket refills.
// The session holds (holdBulk), drains at every batch and timer (drainHeld) and arms its timer
// for the next refill (heldDeadline).
import { HeldBulk, holdLimitBytes } from '../../core/multipath/index.ts';
import type { Millis } from '../../core/types.ts';
import type { PathLink } from './path-link.ts';

/** Poll interval while held bulk waits for room in quiche rather than for the pacer (ms). */
const QUIC_ROOM_POLL_MS = 1;

/** Whether a bulk datagram for this paced link must wait: others wait, or the bucket is dry. */
export function mustHold(link: PathLink, now: Millis): boolean {
  const pacer = link.pacer;
  if (pacer === null) return false;
  return (link.held !== null && link.held.size > 0) || !pacer.hasRoom(now);
}

/** Result of holdBulk: queued; queued and the queue is now full; or refused (full). */
export type HoldResult = 'held' | 'held-full' | 'refused';

/** Copies the datagram into the link's held queue (created on first use). */
export function holdBulk(link: PathLink, buf: Uint8Array, start: number, len: number): HoldResult {
  if (link.held === null) link.held = new HeldBulk();
  const limit = holdLimitBytes(link.pacer?.rate ?? 0);
  if (!link.held.push(buf, start, len, limit)) return 'refused';
  return link.held.fits(len, limit) ? 'held' : 'held-full';
}

/** How long the link's held bulk takes to leave at its pacer's rate (ms); infinite when the link
 *  is not pacing (no known rate). */
export function heldDrainMs(link: PathLink): number {
  const rate = link.pacer?.rate ?? 0;
  return rate > 0 ? ((link.held?.bytes ?? 0) * 1000) / rate : Number.POSITIVE_INFINITY;
}

/** Whether the link's held queue has room for another full datagram (its bulk room). */
export function holdRoom(link: PathLink): boolean {
  const held = link.held;
  return held === null || held.fits(1500, holdLimitBytes(link.pacer?.rate ?? 0));
}

/**
 * Sends held datagrams while the pacer and quiche take them; `send` queues one datagram on the
 * link (false: quiche refused it, and it stays held). The caller flushes the link afterwards.
 */
export function drainHeld(
  link: PathLink,
  now: Millis,
  send: (buf: Uint8Array, start: number, len: number) => boolean,
): number {
  const held = link.held;
  if (held === null || held.size === 0) return 0;
  let n = 0;
  link.queued = link.conn.dgramQueueLen();
  while (held.size > 0) {
    if (link.pacer !== null && !link.pacer.hasRoom(now)) break;
    if (link.queued >= link.queueLimit || !link.conn.canSend()) break;
    if (!held.sendOldest(send)) break;
    n++;
  }
  return n;
}

/** When the link's held bulk can move next (engine clock), or null when it holds none. */
export function heldDeadline(link: PathLink, now: Millis): number | null {
  const held = link.held;
  if (held === null || held.size === 0) return null;
  const pacer = link.pacer;
  if (pacer !== null && !pacer.hasRoom(now)) return pacer.roomAt(now);
  // Room in the bucket (or no pacer any more): it waits for quiche's window, which ACKs open.
  return now + QUIC_ROOM_POLL_MS;
}

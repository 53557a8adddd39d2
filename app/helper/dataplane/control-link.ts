// Control-stream plumbing shared by both ends: bytes → frames → messages for one path.
import type { ControlMessage } from '../../core/control-messages.ts';
import type { PathLink } from './path-link.ts';

/** The feature a peer announces when it compresses and decompresses inner headers (header-compress.ts). */
export const HC_FEATURE = 'hc-v1';

/** Data-plane features to announce in hello / helloAck: DATAGRAM encapsulation, and `hc-v1` if on. */
export function dataFeatures(headerCompression: boolean): string[] {
  return headerCompression ? ['dgram-v1', HC_FEATURE] : ['dgram-v1'];
}

/** Feeds control bytes into the link's frame reader; calls `onMessage` per message, `onBad` once per bad frame. */
export function readControl(
  link: PathLink,
  chunk: Uint8Array,
  onMessage: (msg: ControlMessage) => void,
  onBad: (why: string) => void,
): void {
  for (const ev of link.reader.push(chunk)) {
    if (ev.ok) onMessage(ev.message);
    else onBad(ev.error);
  }
}

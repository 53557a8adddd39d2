// Control-stream plumbing shared by both ends: bytes → frames → messages for one path.
import type { ControlMessage } from '../../core/control-messages.ts';
import type { PathLink } from './path-link.ts';

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

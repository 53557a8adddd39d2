// Keepalive probes on a path's control stream: the path manager asks for one (its probe), the
// peer answers with the same sequence number, and the answer gives the path an RTT sample and
// proves it alive. Both ends run the same exchange on every path.
import type { ControlMessage } from '../../core/control-messages.ts';
import type { PathManager } from '../../core/multipath/index.ts';
import type { Millis, PathId } from '../../core/types.ts';
import type { PathLink } from './path-link.ts';

/** Sends the probe `seq` the path manager asked for on `link`. */
export function sendKeepalive(
  manager: PathManager,
  id: PathId,
  link: PathLink,
  seq: number,
  now: Millis,
  markDirty: (link: PathLink) => void,
): void {
  if (!link.sendControl({ type: 'keepalive', seq, sentAt: Math.round(now * 1000) / 1000 })) return;
  manager.handleProbeSent(id, seq, now);
  // The PING makes the keepalive leave even when the control stream is blocked.
  link.conn.sendAckEliciting();
  if (!link.dirty) markDirty(link);
}

/** Answers the peer's keepalive, or hands an answer to ours to the path manager. */
export function onKeepaliveMessage(
  manager: PathManager,
  link: PathLink,
  msg: ControlMessage,
  now: Millis,
  markDirty: (link: PathLink) => void,
): void {
  if (link.pathId === null) return;
  if (msg.type === 'keepalive') {
    link.sendControl({ type: 'keepaliveAck', seq: msg.seq, echoSentAt: msg.sentAt });
    if (!link.dirty) markDirty(link);
  } else if (msg.type === 'keepaliveAck') {
    manager.handleProbeAck(link.pathId, msg.seq, now);
  }
}

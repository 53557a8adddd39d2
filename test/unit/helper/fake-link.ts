// Paths for PeerSession tests without quiche: a fake connection with room for anything, and a
// PathLink over it with the lab's addresses.
import type { PathKind } from '../../../app/core/control-messages.ts';
import type { Millis, PathId } from '../../../app/core/types.ts';
import { PathLink } from '../../../app/helper/dataplane/path-link.ts';
import type { PeerSession } from '../../../app/helper/dataplane/session.ts';
import type { UdpSender } from '../../../app/helper/dataplane/udp-sender.ts';
import type { QuicConn } from '../../../app/helper/quic/conn.ts';

/** quiche with room for anything. Counts what it was given; `keep` also keeps it. */
export class FakeConn {
  datagrams = 0;
  bytes = 0;
  /** Datagrams and control frames sent, when kept (for carrying them to a peer session). */
  readonly sent: Uint8Array[] = [];
  readonly control: Uint8Array[] = [];
  readonly datagramBuffer = new Uint8Array(2048);
  /** Packets "received" from the peer (QuicConn.packetsIn): a test bumps it to say the peer answered. */
  packetsIn = 0;
  /** With `stuck`, datagrams wait here instead of leaving (a full window nobody ACKs). */
  readonly queue: Uint8Array[] = [];
  stuck = false;
  constructor(private readonly keep = false) {}
  dgramQueueLen(): number {
    return this.queue.length;
  }
  takeQueued(take: (d: Uint8Array) => boolean): void {
    const left = this.queue.filter((d) => !take(d.slice()));
    this.queue.length = 0;
    this.queue.push(...left);
  }
  canSend(): boolean {
    return true;
  }
  sendDatagram(buf: Uint8Array, start: number, len: number): boolean {
    this.datagrams++;
    this.bytes += len;
    if (this.stuck) this.queue.push(buf.slice(start, start + len));
    else if (this.keep) this.sent.push(buf.slice(start, start + len));
    return true;
  }
  sendControl(frame: Uint8Array): boolean {
    if (this.keep) this.control.push(frame.slice());
    return true;
  }
  sendAckEliciting(): void {}
}

/** A PathLink over `conn` on `iface` (path `index` of the lab: local 198.18.<index+1>.2). */
export function fakeLink(conn: object, iface = 'wifi0', kind: PathKind = 'wifi', index = 0): PathLink {
  return new PathLink(
    conn as unknown as QuicConn,
    {} as UdpSender,
    iface,
    kind,
    { host: `198.18.${index + 1}.2`, port: 1 },
    { host: '198.18.0.1', port: 2 },
    null,
  );
}

/** Binds `link` to `s` and makes it Active: five probes answered in `rttMs` (5: by t = 55 ms). */
export function addActivePath(s: PeerSession, link: PathLink, rttMs = 5): PathId {
  const id = s.addPath(link, 0 as Millis);
  for (let seq = 1; seq <= 5; seq++) {
    s.manager.handleProbeSent(id, seq, (seq * 10) as Millis);
    s.manager.handleProbeAck(id, seq, (seq * 10 + rttMs) as Millis);
  }
  return id;
}

// The accepting side (the gateway): one UDP socket on the listen address, a QuicListener that
// answers nobody it cannot authenticate, and the session registry that binds each verified
// connection to its peer's session by the hello's token (ARCHITECTURE decision 3).
import { randomBytes } from 'node:crypto';
import {
  CloseCode,
  CONTROL_PROTOCOL_VERSIONS,
  type ControlMessage,
  chooseVersion,
  type ScheduleMessage,
} from '../../core/control-messages.ts';
import { SessionRegistry, TOKEN_LEN } from '../../core/session-registry.ts';
import type { Millis, NodeId } from '../../core/types.ts';
import { u32ToIpv4 } from '../io/ipv4.ts';
import { PacketBatch } from '../io/packet-batch.ts';
import type { UdpPort } from '../io/ports.ts';
import type { QuicConn } from '../quic/conn.ts';
import { QuicListener } from '../quic/listener.ts';
import type { HostPort, QuicIdentity, QuicTuning } from '../quic/types.ts';
import { dataFeatures, HC_FEATURE, readControl } from './control-link.ts';
import { BATCH, type Engine, type Flushable, SLOT, type TimedPart } from './engine.ts';
import { PathLink } from './path-link.ts';
import type { PeerSession } from './session.ts';
import { UdpSender } from './udp-sender.ts';

/** Source addresses cached as HostPort objects (quiche wants objects); cleared past this size. */
const MAX_ADDR_CACHE = 4096;
/** A verified connection that sends no hello within this long is closed. */
const HELLO_TIMEOUT_MS = 5000;

export interface ServerLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface ServerOptions {
  port: UdpPort;
  listen: HostPort;
  identity: QuicIdentity;
  tuning: QuicTuning;
  mtu: number;
  /** Compress inner headers toward a laptop that supports it too (`[tunnel] header_compression`). */
  headerCompression: boolean;
  sessionFor: (peer: NodeId) => PeerSession | undefined;
  /** The peer announced how it wants traffic toward it scheduled (a `schedule` message); null
   *  when it started a new session (its announcement, if any, follows that session's hello). */
  onSchedule: (session: PeerSession, msg: ScheduleMessage | null) => void;
  log: ServerLog;
}

export class ServerSide implements TimedPart, Flushable {
  readonly listener: QuicListener;
  readonly registry = new SessionRegistry();
  private readonly sender: UdpSender;
  private readonly addrCache = new Map<number, HostPort>();
  private readonly unbound = new Map<PathLink, number>();
  private readonly tokenOf = new Map<PeerSession, string>();
  private readonly links = new Set<PathLink>();

  constructor(
    private readonly engine: Engine,
    private readonly opts: ServerOptions,
  ) {
    this.sender = new UdpSender(opts.port, new PacketBatch({ capacity: BATCH, slotSize: SLOT }));
    this.listener = new QuicListener({
      ...opts.tuning,
      identity: opts.identity,
      authorize: (id) => opts.sessionFor(id) !== undefined,
      onConnection: (conn, peer) => this.onConnection(conn, peer),
    });
    const to = opts.listen;
    opts.port.onReadable(() =>
      engine.pumpUdp(
        opts.port,
        (view, len, ip, port) => {
          this.listener.handlePacket(view, len, this.hostPort(ip, port), to, engine.now());
        },
        (now) => this.afterInput(now),
      ),
    );
  }

  private hostPort(ip: number, port: number): HostPort {
    const key = ip * 65536 + port;
    let hp = this.addrCache.get(key);
    if (!hp) {
      if (this.addrCache.size >= MAX_ADDR_CACHE) this.addrCache.clear();
      hp = { host: u32ToIpv4(ip), port };
      this.addrCache.set(key, hp);
    }
    return hp;
  }

  private afterInput(now: Millis): void {
    for (const link of this.links) {
      if (link.pathId === null) continue;
      const s = this.opts.sessionFor(link.conn.peerNodeId as NodeId);
      if (s) link.conn.recvDatagrams((buf, len) => s.onDatagram(link, buf, len, now));
    }
    // Retries, handshakes and ACKs of every connection leave in one batch, with the engine's
    // next (coalesced) flush.
    this.engine.requestFlush(this);
  }

  flush(): number {
    const n = this.listener.flush(this.sender);
    this.sender.send();
    return n;
  }

  private onConnection(conn: QuicConn, peer: NodeId): void {
    const link = new PathLink(conn, this.sender, '', 'other', this.opts.listen, { host: '', port: 0 }, null);
    this.links.add(link);
    this.engine.trackLink(link);
    this.unbound.set(link, this.engine.now());
    conn.setHandlers({
      onControl: (chunk) =>
        readControl(
          link,
          chunk,
          (m) => this.onControl(link, peer, m),
          (why) => this.opts.log.warn(`peer ${peer}: bad control frame: ${why}`),
        ),
      onClosed: () => this.onClosed(link, peer),
    });
  }

  private onControl(link: PathLink, peer: NodeId, msg: ControlMessage): void {
    const now = this.engine.now();
    const session = this.opts.sessionFor(peer);
    if (!session) return;
    if (msg.type !== 'hello') {
      if (link.pathId === null) return;
      if (msg.type === 'schedule') this.opts.onSchedule(session, msg);
      // The peer closed a path it can no longer use; its own close may never arrive.
      else if (msg.type === 'pathClosed')
        this.supersedeIface(session, msg.interface, link, `closed by the peer (${msg.reason})`, now);
      else session.onControl(link, msg, now);
      return;
    }
    if (link.pathId !== null) return;
    const version = chooseVersion(CONTROL_PROTOCOL_VERSIONS, msg.protocolVersions);
    if (version === undefined) {
      this.refuse(link, CloseCode.versionMismatch, 'no common control protocol version');
      return;
    }
    const r = this.registry.join(peer, msg.sessionToken, randomBytes(TOKEN_LEN), now);
    if (!r.ok) {
      this.refuse(link, CloseCode.protocolError, r.reason);
      return;
    }
    if (r.created) {
      session.resetReceive(now);
      // A restarted peer may be an older build that announces nothing: our own config then.
      this.opts.onSchedule(session, null);
      // The peer started a new session (it restarted): its old paths belong to the old one.
      for (const old of [...session.paths.values()])
        this.supersede(session, old, 'superseded by a new session', now);
      this.tokenOf.set(session, r.session.token);
    } else if (msg.pathInfo) {
      // The peer keeps one path per interface: a new one on the same interface means the old one
      // is gone (roaming: its address changed, and its close could not leave from the removed
      // address). Without this the old path stays "active" here until its probes fail (~1.5 s
      // measured), and every packet toward the peer is sent into it meanwhile.
      this.supersedeIface(
        session,
        msg.pathInfo.interface,
        link,
        'superseded by a new path on its interface',
        now,
      );
    }
    Object.assign(link, { iface: msg.pathInfo?.interface ?? '?', kind: msg.pathInfo?.kind ?? 'other' });
    const { priority, weight } = msg.pathInfo ?? {};
    if (priority !== undefined || weight !== undefined)
      link.announced = {
        ...(priority !== undefined ? { priority } : {}),
        ...(weight !== undefined ? { weight } : {}),
      };
    link.pathId = r.pathId;
    this.unbound.delete(link);
    session.setHeaderCompression(this.opts.headerCompression && msg.features.includes(HC_FEATURE));
    session.addPath(link, now);
    link.sendControl({
      type: 'helloAck',
      chosenVersion: version,
      sessionToken: Buffer.from(r.session.token, 'hex'),
      pathId: r.pathId,
      mtu: Math.min(this.opts.mtu, msg.mtu),
      features: dataFeatures(this.opts.headerCompression),
    });
    this.engine.markDirty(link);
    session.pumpEvents(now, this.engine.onPathState);
    this.opts.log.info(
      `peer ${peer}: path ${link.iface} (${msg.pathInfo?.kind ?? '?'}) joined, path id ${r.pathId}`,
    );
  }

  /** Supersedes the session's paths over the peer's interface `iface`, except `keep`. */
  private supersedeIface(
    session: PeerSession,
    iface: string,
    keep: PathLink,
    reason: string,
    now: Millis,
  ): void {
    for (const old of [...session.paths.values()])
      if (old !== keep && old.iface === iface) this.supersede(session, old, reason, now);
  }

  private supersede(session: PeerSession, old: PathLink, reason: string, now: Millis): void {
    session.removePath(old, now);
    const token = this.tokenOf.get(session);
    if (token && old.pathId !== null) this.registry.leave(token, old.pathId, now);
    old.pathId = null;
    old.conn.close(0, reason);
    this.engine.markDirty(old);
    this.opts.log.info(`path ${old.iface}: ${reason}`);
  }

  private refuse(link: PathLink, code: number, reason: string): void {
    link.sendControl({ type: 'close', code, reason });
    link.conn.close(code, reason);
    this.engine.markDirty(link);
    this.opts.log.warn(`refused a path: ${reason}`);
  }

  private onClosed(link: PathLink, peer: NodeId): void {
    if (link.closed) return;
    link.closed = true;
    const now = this.engine.now();
    this.links.delete(link);
    this.unbound.delete(link);
    this.engine.untrackLink(link);
    const session = this.opts.sessionFor(peer);
    if (session && link.pathId !== null) {
      session.removePath(link, now);
      const token = this.tokenOf.get(session);
      if (token) this.registry.leave(token, link.pathId, now);
    }
  }

  nextDeadline(now: Millis): number | null {
    const t = this.listener.timeoutMs();
    let at = t === null ? null : now + t;
    for (const since of this.unbound.values()) {
      const d = since + HELLO_TIMEOUT_MS;
      if (at === null || d < at) at = d;
    }
    return at;
  }

  onTimer(now: Millis): void {
    this.listener.onTimeout(now);
    for (const [link, since] of this.unbound) {
      if (now - since >= HELLO_TIMEOUT_MS) {
        this.unbound.delete(link);
        link.conn.close(CloseCode.protocolError, 'no hello');
      }
    }
    this.registry.expire(now);
    this.listener.flush(this.sender);
    this.sender.send();
  }

  close(): void {
    this.listener.close(0, 'helper stopping');
    this.listener.flush(this.sender);
    this.sender.send();
  }
}

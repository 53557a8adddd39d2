// The dialing side of a session (the laptop): one path per usable, enabled interface, each its own
// UDP socket bound to that interface and its own QUIC connection to the peer's endpoint. The first
// path gets the session token; later paths present it. A path that closes is redialled with
// backoff; an interface whose address changed (roaming) gets a fresh path at once, inside the same
// session, so flows in the tunnel never notice more than a short stall.
import { CONTROL_PROTOCOL_VERSIONS, type ControlMessage } from '../../core/control-messages.ts';
import { SessionMachine, scheduleMessageOf } from '../../core/multipath/index.ts';
import type { InterfaceInfo } from '../../core/netmon/delta.ts';
import { usableForPath } from '../../core/netmon/delta.ts';
import type { Millis, NodeId } from '../../core/types.ts';
import { openUdpPort } from '../io/open-udp.ts';
import { PacketBatch } from '../io/packet-batch.ts';
import { QuicConn } from '../quic/conn.ts';
import type { HostPort, QuicIdentity, QuicTuning } from '../quic/types.ts';
import { dataFeatures, HC_FEATURE, readControl } from './control-link.ts';
import { BATCH, type Engine, SLOT, type TimedPart } from './engine.ts';
import { PathLink } from './path-link.ts';
import type { PeerSession } from './session.ts';
import { UdpSender } from './udp-sender.ts';

/** First redial after a path closes: quick, since most closes are a blip. */
const REDIAL_MIN_MS = 250;
/** Redials back off to this, so a dead network costs one handshake attempt every 10 s per interface. */
const REDIAL_MAX_MS = 10_000;
/** 4 MiB socket buffers: the largest a namespace allows (TESTBED.md); absorbs bursts at line rate. */
const SOCKET_BUFFER = 4 << 20;

export interface ClientLog {
  info(msg: string): void;
  warn(msg: string): void;
}

interface IfaceSlot {
  name: string;
  link: PathLink | null;
  dialing: boolean;
  address: string | null;
  redialAt: number;
  backoffMs: number;
}

export interface ClientOptions {
  ownNodeId: NodeId;
  peerNodeId: NodeId;
  endpoint: HostPort;
  identity: QuicIdentity;
  tuning: QuicTuning;
  mtu: number;
  /** Compress inner headers toward the gateway if it supports it too (`[tunnel] header_compression`). */
  headerCompression: boolean;
  multipath: boolean;
  /** Interfaces allowed by config (empty = all usable); order = preference. */
  allowedInterfaces: readonly string[];
  isEnabled: (iface: string) => boolean;
  log: ClientLog;
}

export class ClientPeer implements TimedPart {
  readonly machine = new SessionMachine();
  private readonly slots = new Map<string, IfaceSlot>();
  private interfaces: readonly InterfaceInfo[] = [];
  private token: Uint8Array | undefined;
  /** The path whose token-less hello is awaiting its helloAck. */
  private firstHelloInFlight: PathLink | null = null;
  private readonly awaitingToken = new Set<PathLink>();

  constructor(
    private readonly engine: Engine,
    readonly session: PeerSession,
    private readonly opts: ClientOptions,
  ) {
    this.opts = { ...opts };
  }

  /** The user's target: connect (dial every usable interface) or disconnect (close every path). */
  connect(now: Millis): void {
    this.machine.requestConnect(now);
    for (const s of this.slots.values()) {
      s.redialAt = 0;
      s.backoffMs = REDIAL_MIN_MS;
    }
    this.reconcile(now);
  }

  disconnect(now: Millis): void {
    this.machine.requestDisconnect(now);
    for (const s of this.slots.values()) if (s.link) this.closeLink(s, 'user disconnect', now);
    this.pumpMachine(now);
  }

  /** Multipath off (mode disable) keeps one path: the most preferred usable interface. */
  setMultipath(on: boolean): void {
    this.opts.multipath = on;
  }

  /** The user changed the mode or the strategy: tell the peer, on every bound path (any one is
   *  enough; all of them so a dying path cannot swallow it). */
  announceSchedule(): void {
    this.sendOnBoundPaths(scheduleMessageOf(this.session.scheduler.config));
  }

  /** Sends `msg` on the control stream of every open path bound to the session. */
  private sendOnBoundPaths(msg: ControlMessage): void {
    for (const s of this.slots.values()) {
      const link = s.link;
      if (!link || link.closed || link.pathId === null) continue;
      link.sendControl(msg);
      this.engine.markDirty(link);
    }
  }

  /** New interface list (netmon delta applied by the caller); re-plans every path. */
  setInterfaces(list: readonly InterfaceInfo[], now: Millis): void {
    this.interfaces = list;
    this.reconcile(now);
  }

  /** Which interfaces may carry a path right now, in preference order. */
  candidates(): InterfaceInfo[] {
    const allowed = this.opts.allowedInterfaces;
    const usable = this.interfaces.filter((i) => usableForPath(i, '') && !i.name.startsWith('quicether'));
    const list = allowed.length
      ? allowed.map((n) => usable.find((i) => i.name === n)).filter((i): i is InterfaceInfo => !!i)
      : usable;
    const enabled = list.filter((i) => this.opts.isEnabled(i.name));
    return this.opts.multipath ? enabled : enabled.slice(0, 1);
  }

  reconcile(now: Millis): void {
    const want = this.machine.target === 'connected' ? this.candidates() : [];
    const wanted = new Set(want.map((i) => i.name));
    for (const [name, s] of this.slots) {
      const info = want.find((i) => i.name === name);
      const addrGone = info !== undefined && s.address !== null && !info.addresses.includes(s.address);
      if (!wanted.has(name) || addrGone) {
        if (s.link) this.closeLink(s, addrGone ? 'address changed' : 'interface not usable', now, true);
        if (!wanted.has(name)) this.slots.delete(name);
        else {
          s.redialAt = 0; // roaming: redial at once from the new address
          s.backoffMs = REDIAL_MIN_MS;
        }
      }
    }
    for (const info of want) {
      let s = this.slots.get(info.name);
      if (!s) {
        s = {
          name: info.name,
          link: null,
          dialing: false,
          address: null,
          redialAt: 0,
          backoffMs: REDIAL_MIN_MS,
        };
        this.slots.set(info.name, s);
      }
      if (!s.link && !s.dialing && now >= s.redialAt) void this.dial(s, info);
    }
    this.pumpMachine(now);
  }

  nextDeadline(_now: Millis): number | null {
    let at: number | null = this.machine.pollTimeout();
    if (this.machine.target === 'connected') {
      for (const s of this.slots.values()) {
        if (!s.link && !s.dialing && (at === null || s.redialAt < at)) at = s.redialAt;
      }
    }
    return at;
  }

  onTimer(now: Millis): void {
    this.machine.handleTimeout(now);
    this.reconcile(now);
  }

  private async dial(s: IfaceSlot, info: InterfaceInfo): Promise<void> {
    const address = info.addresses[0];
    if (!address) return;
    s.dialing = true;
    s.address = address;
    let port: Awaited<ReturnType<typeof openUdpPort>>['port'];
    try {
      const opened = await openUdpPort({
        address,
        port: 0,
        device: info.name,
        recvBufferSize: SOCKET_BUFFER,
        sendBufferSize: SOCKET_BUFFER,
      });
      port = opened.port;
      if (opened.fallbackReason) this.opts.log.warn(`path ${info.name}: ${opened.fallbackReason}`);
    } catch (e) {
      s.dialing = false;
      this.backoff(s, this.engine.now());
      this.opts.log.warn(`path ${info.name}: cannot open UDP socket on ${address}: ${(e as Error).message}`);
      this.engine.arm();
      return;
    }
    const local: HostPort = { host: address, port: port.localAddress.port };
    const remote = this.opts.endpoint;
    const sender = new UdpSender(port, new PacketBatch({ capacity: BATCH, slotSize: SLOT }));
    let link: PathLink | null = null;
    const conn = QuicConn.connect({
      ...this.opts.tuning,
      identity: this.opts.identity,
      expectPeer: this.opts.peerNodeId,
      local,
      remote,
      onEstablished: () => {
        if (!link) return;
        // One token-less hello at a time: a second one would start a second session. Paths that
        // come up meanwhile wait for the token and join the session it names.
        if (!this.token && this.firstHelloInFlight && this.firstHelloInFlight !== link)
          this.awaitingToken.add(link);
        else this.sendHello(link);
      },
      onControl: (chunk) => {
        if (link)
          readControl(
            link,
            chunk,
            (m) => this.onControl(s, link as PathLink, m),
            (why) => this.opts.log.warn(`path ${info.name}: bad control frame: ${why}`),
          );
      },
      onClosed: (ci) => {
        // The gateway refuses a token it does not know (it restarted) in its CONNECTION_CLOSE; the
        // next dial starts a new session.
        if (ci.initiator === 'peer' && ci.app && /unknown-token|node-mismatch/.test(ci.reason))
          this.token = undefined;
        if (link)
          this.onLinkClosed(
            s,
            link,
            `${ci.initiator} close ${ci.app ? 'app' : 'transport'} ${ci.code} ${ci.reason}`,
          );
      },
    });
    link = new PathLink(conn, sender, info.name, info.kind, local, remote, port);
    s.link = link;
    s.dialing = false;
    this.engine.trackLink(link);
    const l = link;
    port.onReadable(() =>
      this.engine.pumpUdp(
        port,
        (view, len) => {
          l.conn.recvPacket(view, len, remote, local);
        },
        (now) => this.afterInput(l, now),
      ),
    );
    this.engine.markDirty(link);
    this.engine.flushDirty();
    this.engine.arm();
  }

  private sendHello(link: PathLink): void {
    if (!this.token) this.firstHelloInFlight = link;
    const { priority, weight } = this.session.pathConfigOf(link.iface);
    link.sendControl({
      type: 'hello',
      protocolVersions: [...CONTROL_PROTOCOL_VERSIONS],
      nodeId: this.opts.ownNodeId,
      multipath: this.opts.multipath,
      mtu: this.opts.mtu,
      features: dataFeatures(this.opts.headerCompression),
      ...(this.token ? { sessionToken: this.token } : {}),
      pathInfo: { interface: link.iface, kind: link.kind, priority, weight },
    });
    // Right behind the hello on the same stream, so the peer binds the path first.
    link.sendControl(scheduleMessageOf(this.session.scheduler.config));
    this.engine.markDirty(link);
  }

  /** The token arrived (or the path that asked for it died): let waiting paths say hello. */
  private releaseWaiting(): void {
    this.firstHelloInFlight = null;
    const waiting = [...this.awaitingToken];
    this.awaitingToken.clear();
    for (const l of waiting) if (!l.closed) this.sendHello(l);
  }

  private afterInput(link: PathLink, now: Millis): void {
    if (link.pathId !== null && this.session.paths.get(link.pathId) === link) {
      link.conn.recvDatagrams((buf, len) => this.session.onDatagram(link, buf, len, now));
    }
    this.engine.markDirty(link);
  }

  private onControl(s: IfaceSlot, link: PathLink, msg: ControlMessage): void {
    const now = this.engine.now();
    if (msg.type === 'helloAck') {
      if (link.pathId !== null) return;
      // A token we did not hold before means a new session on the gateway (first contact, or it
      // restarted): its sequence numbers start over.
      if (!this.token || !sameBytes(this.token, msg.sessionToken)) this.session.resetReceive(now);
      this.session.setHeaderCompression(this.opts.headerCompression && msg.features.includes(HC_FEATURE));
      this.token = msg.sessionToken;
      this.releaseWaiting();
      link.pathId = this.session.allocatePathId();
      this.session.addPath(link, now);
      s.backoffMs = REDIAL_MIN_MS;
      this.opts.log.info(
        `path ${link.iface} joined the session (${link.local.host} → ${link.remote.host}:${link.remote.port})`,
      );
      this.session.pumpEvents(now, this.engine.onPathState);
      this.pumpMachine(now);
    } else if (msg.type === 'close') {
      this.opts.log.warn(`path ${link.iface}: peer closed the path: ${msg.reason} (code ${msg.code})`);
      // An unknown token means the peer lost our session (it restarted): start a new one.
      this.token = undefined;
      link.conn.close(0, 'peer refused');
    } else {
      this.session.onControl(link, msg, now);
    }
  }

  private onLinkClosed(s: IfaceSlot, link: PathLink, why: string): void {
    const now = this.engine.now();
    if (link.closed) return;
    link.closed = true;
    this.awaitingToken.delete(link);
    if (this.firstHelloInFlight === link) this.releaseWaiting();
    this.session.removePath(link, now);
    this.engine.untrackLink(link);
    link.ownPort?.onReadable(null);
    link.ownPort?.close();
    if (s.link === link) {
      s.link = null;
      this.backoff(s, now);
    }
    this.opts.log.info(`path ${link.iface} closed: ${why}`);
    this.pumpMachine(now);
  }

  /**
   * Closes the slot's path. `tellPeer`: also say so on the other paths (pathClosed), because this
   * path's own close may not leave (its interface is down, its address gone): without it the peer
   * kept sending into the path until its probes failed, losing every other packet toward us for
   * ~0.9 s in the lab (aggregate, two paths, ping every 20 ms).
   */
  private closeLink(s: IfaceSlot, why: string, now: Millis, tellPeer = false): void {
    const link = s.link;
    if (!link) return;
    const bound = link.pathId !== null;
    link.conn.close(0, why);
    link.flush();
    link.sender.send();
    this.onLinkClosed(s, link, why);
    // onLinkClosed emptied the slot, so this reaches the other paths only.
    if (tellPeer && bound) this.sendOnBoundPaths({ type: 'pathClosed', interface: s.name, reason: why });
    void now;
  }

  private backoff(s: IfaceSlot, now: Millis): void {
    s.redialAt = now + s.backoffMs;
    s.backoffMs = Math.min(REDIAL_MAX_MS, s.backoffMs * 2);
  }

  /**
   * A path the path manager failed for silence (not link down) is closed and redialled with
   * backoff: the peer may have restarted and forgotten the connection, which then never answers
   * again; waiting for QUIC's 30 s idle timeout would leave the path dead that long.
   */
  private redialSilentPaths(now: Millis): void {
    for (const s of this.slots.values()) {
      const id = s.link?.pathId;
      if (id === null || id === undefined) continue;
      const st = this.session.manager.state(id);
      if (st?.kind === 'failed' && st.reason === 'probe-timeout')
        this.closeLink(s, 'no answer on this path', now, true);
    }
  }

  /** Feeds the usable path count to the session machine and performs what it asks. */
  pumpMachine(now: Millis): void {
    this.redialSilentPaths(now);
    this.machine.handleUsablePaths(this.session.manager.usableCount(), now);
    for (let e = this.machine.pollEvent(); e !== undefined; e = this.machine.pollEvent()) {
      if (e.type === 'close') {
        for (const s of this.slots.values()) if (s.link) this.closeLink(s, 'session closing', now);
        this.machine.handleClosed(now);
      } else if (e.type === 'connect') {
        for (const s of this.slots.values()) s.redialAt = Math.min(s.redialAt, now);
      }
    }
  }

  get state(): string {
    return this.machine.state.kind;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

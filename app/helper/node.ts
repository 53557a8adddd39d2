// A running QuicEther node: the TUN device, one session per configured peer, the dialing side for
// peers with an endpoint, the accepting side when the config listens, and the interface monitor.
// It implements HelperApi, the control socket's view of the helper.

import { formatCidr } from '../core/cidr.ts';
import type { ScheduleMessage } from '../core/control-messages.ts';
import { HEADER_LEN } from '../core/encap.ts';
import {
  type SchedulerConfig,
  type StrategyName,
  schedulerConfigOf,
  schedulerNameOf,
} from '../core/multipath/index.ts';
import type { InterfaceChange, InterfaceInfo as NetIface } from '../core/netmon/delta.ts';
import type { Millis, NodeId } from '../core/types.ts';
import { ControlError } from '../protocol/errors.ts';
import type {
  InterfaceInfo,
  Mode,
  PeerInfo,
  SchedulerName,
  StatsSample,
  Status,
} from '../protocol/schema.ts';
import type { Config } from './config/index.ts';
import type { HelperApi } from './control/helper-api.ts';
import { ClientPeer } from './dataplane/client.ts';
import { Engine } from './dataplane/engine.ts';
import type { MinorGc } from './dataplane/send-gc.ts';
import { ServerSide } from './dataplane/server.ts';
import { PeerSession } from './dataplane/session.ts';
import { helperCounters } from './helper-counters.ts';
import type { TunPort, UdpPort } from './io/ports.ts';
import type { Log } from './logger.ts';
import { Netmon } from './netmon/netmon.linux.ts';
import { QUIC_DATAGRAM_OVERHEAD as QUIC_OVERHEAD } from './quic/config.ts';
import type { QuicIdentity } from './quic/types.ts';
import { SAMPLE_MS, StatsKeeper } from './stats.ts';

export const HELPER_VERSION = '0.1.0';

const strategyOf = (s: SchedulerName): StrategyName => (s === 'latency' ? 'latency-aware' : s);

/** Side effects outside the data plane that follow the session (built in main.ts). */
export interface NodeHooks {
  /** The kill switch: applied while the user wants the tunnel, removed on a user disconnect. */
  firewall?: { apply(): Promise<void>; remove(): Promise<void> };
  /** Tunnel resolvers: applied once connected, restored on disconnect and stop. */
  dns?: { apply(): Promise<void>; restore(): Promise<void> };
}

export interface NodeOptions {
  config: Config;
  nodeId: NodeId;
  identity: QuicIdentity;
  tun: TunPort;
  /** The listen socket, when the config listens. */
  listenPort: UdpPort | null;
  /** Resolved peer endpoints (IP literals), by NodeId. */
  endpoints: Map<NodeId, { host: string; port: number }>;
  log: Log;
  hooks?: NodeHooks;
  /** Young-generation GC paced by packets sent (send-gc.ts); null or absent: V8 decides alone. */
  minorGc?: MinorGc | null;
}

export class QuicEtherNode implements HelperApi {
  readonly engine: Engine;
  readonly sessions = new Map<NodeId, PeerSession>();
  readonly clients: ClientPeer[] = [];
  private server: ServerSide | null = null;
  private readonly netmon: Netmon;
  private readonly stats: StatsKeeper;
  private readonly disabled = new Set<string>();
  private mode: Mode;
  private scheduler: SchedulerName;
  private connectedSince: number | null = null;
  private statsTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: NodeOptions) {
    const cfg = o.config;
    this.mode = cfg.multipath.mode;
    this.scheduler = cfg.multipath.scheduler;
    this.engine = new Engine(o.tun, o.minorGc ?? null);
    if (cfg.tunnel.address?.family === 4) this.engine.localV4 = cfg.tunnel.address.addr >>> 0;
    const order = cfg.multipath.interfaces;
    const weightOf = (i: string) => cfg.multipath.weights[i] ?? 1;
    const priorityOf = (i: string) => {
      const k = order.indexOf(i);
      return k < 0 ? order.length : k;
    };
    for (const peer of cfg.peers) {
      const s = new PeerSession(
        peer.nodeId,
        peer.allowedIps,
        this.schedulerConfig(),
        this.engine.pool,
        this.engine.deliver,
        this.engine.markDirty,
        weightOf,
        priorityOf,
      );
      this.sessions.set(peer.nodeId, s);
      this.engine.sessions.add(s);
      for (const c of peer.allowedIps) this.engine.routes.add(c, s);
    }
    this.engine.onPathState = () => {
      for (const c of this.clients) c.pumpMachine(this.engine.now());
      this.trackConnected();
    };
    // A full inner packet (tunnel MTU + our header) must fit one DATAGRAM: QUIC adds at most 34
    // bytes (1 flags + 8 CID + 4 PN + 16 AEAD tag + 3 frame header + 2 slack), so the UDP payload
    // is the tunnel MTU + 44. For the default 1420 that is 1464: a 1500-byte IPv4 link carries it.
    const udpPayload = cfg.tunnel.mtu + HEADER_LEN + QUIC_OVERHEAD;
    const tuning = {
      idleTimeoutMs: 30_000,
      maxSendUdpPayload: udpPayload,
      maxRecvUdpPayload: Math.max(1472, udpPayload),
    };
    if (o.listenPort && cfg.node.listen) {
      this.server = new ServerSide(this.engine, {
        port: o.listenPort,
        listen: {
          host: o.listenPort.localAddress.ip === 0 ? cfg.node.listen.host : cfg.node.listen.host,
          port: o.listenPort.localAddress.port,
        },
        identity: o.identity,
        tuning,
        mtu: cfg.tunnel.mtu,
        headerCompression: cfg.tunnel.headerCompression,
        sessionFor: (id) => this.sessions.get(id),
        onSchedule: (session, msg) => this.onPeerSchedule(session, msg),
        log: o.log.child('server'),
      });
      this.engine.addPart(this.server);
    }
    for (const peer of cfg.peers) {
      const ep = o.endpoints.get(peer.nodeId);
      const session = this.sessions.get(peer.nodeId);
      if (!ep || !session) continue;
      const client = new ClientPeer(this.engine, session, {
        ownNodeId: o.nodeId,
        peerNodeId: peer.nodeId,
        endpoint: ep,
        identity: o.identity,
        tuning,
        mtu: cfg.tunnel.mtu,
        headerCompression: cfg.tunnel.headerCompression,
        multipath: this.mode !== 'disable',
        allowedInterfaces: cfg.multipath.interfaces,
        isEnabled: (name) => !this.disabled.has(name),
        log: o.log.child(`peer ${peer.nodeId.slice(0, 10)}`),
      });
      this.clients.push(client);
      this.engine.addPart(client);
    }
    this.netmon = new Netmon({
      onChange: (changes, all) => this.onInterfaces(changes, all),
      onError: (e) => o.log.warn(`interface monitor: ${e.message}`),
    });
    this.stats = new StatsKeeper(
      () => this.sessions.values(),
      () => this.sessionState(),
      () => this.engine.now(),
      () => this.counters(),
    );
  }

  async start(): Promise<void> {
    const list = await this.netmon.start();
    const now = this.engine.now();
    for (const c of this.clients) {
      c.setInterfaces(list, now);
      c.connect(now);
    }
    this.statsTimer = setInterval(() => this.stats.tick(), SAMPLE_MS);
    this.engine.arm();
  }

  private onInterfaces(changes: InterfaceChange[], all: NetIface[]): void {
    const now = this.engine.now();
    for (const ch of changes) this.o.log.info(`interface change: ${JSON.stringify(ch)}`);
    for (const c of this.clients) c.setInterfaces(all, now);
    this.engine.flushDirty();
    this.engine.arm();
  }

  private schedulerConfig(): SchedulerConfig {
    const p = this.o.config.multipath.policies;
    return {
      mode: this.mode,
      strategy: strategyOf(this.scheduler),
      interactiveMaxRttMs: p.interactiveMaxRttMs,
      bulkMinBandwidthMbps: p.bulkMinBandwidthMbps,
      redundantCopies: p.redundantCopies,
    };
  }

  /** A peer (a laptop) asked for its mode and strategy on what we send it: its user chose them. */
  private onPeerSchedule(session: PeerSession, msg: ScheduleMessage | null): void {
    if (msg === null) {
      if (session.peerSchedule === null) return;
      session.peerSchedule = null;
      session.setScheduler(this.schedulerConfig());
      return;
    }
    const cfg = schedulerConfigOf(msg, this.schedulerConfig());
    if (!cfg) {
      const names = JSON.stringify([msg.mode, msg.scheduler]).slice(0, 80);
      this.o.log.warn(`peer ${session.nodeId}: unknown schedule ${names}, keeping ours`);
      return;
    }
    const old = session.peerSchedule;
    session.peerSchedule = cfg;
    if (old && JSON.stringify(old) === JSON.stringify(cfg)) return;
    session.setScheduler(cfg);
    this.o.log.info(
      `peer ${session.nodeId}: traffic toward it now ${msg.mode}/${msg.scheduler}, as it asked`,
    );
  }

  private sessionState(): Status['state'] {
    if (this.clients.length > 0) {
      const states = this.clients.map((c) => c.state);
      for (const k of ['connected', 'degraded', 'connecting', 'disconnecting', 'error'] as const)
        if (states.includes(k)) return k;
      return 'disconnected';
    }
    for (const s of this.sessions.values()) if (s.manager.usableCount() > 0) return 'connected';
    return this.server ? 'connecting' : 'disconnected';
  }

  private trackConnected(): void {
    const st = this.sessionState();
    if (st === 'connected' || st === 'degraded') {
      if (this.connectedSince === null) this.hook('dns', (h) => h.dns?.apply());
      this.connectedSince ??= performance.now();
    } else this.connectedSince = null;
  }

  /** Runs a hook without blocking the caller; a failure is logged, never thrown (STYLE rule 9). */
  private hook(what: string, f: (h: NodeHooks) => Promise<void> | undefined): Promise<void> {
    const h = this.o.hooks;
    if (!h) return Promise.resolve();
    return Promise.resolve(f(h)).catch((e: unknown) =>
      this.o.log.error(`${what}: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  private refresh(): void {
    const now = this.engine.now();
    for (const c of this.clients) c.reconcile(now);
    this.engine.flushDirty();
    this.engine.arm();
  }

  // ---- HelperApi ---------------------------------------------------------------------------

  async status(): Promise<Status> {
    this.trackConnected();
    let active = 0;
    for (const s of this.sessions.values())
      for (const id of s.paths.keys()) if (s.stateOf(id) === 'active') active++;
    const target =
      this.clients.some((c) => c.machine.target === 'connected') || this.clients.length === 0
        ? 'connected'
        : 'disconnected';
    const state = this.sessionState();
    const last = this.clients.map((c) => c.machine.state).find((s) => s.kind === 'error');
    return {
      target,
      state,
      ...(last && last.kind === 'error' ? { lastError: { code: last.code, message: last.message } } : {}),
      mode: this.mode,
      scheduler: this.scheduler,
      nodeId: this.o.nodeId,
      helperVersion: HELPER_VERSION,
      connectedForMs: this.connectedSince === null ? 0 : performance.now() - this.connectedSince,
      activePaths: active,
    };
  }

  async connect(): Promise<Status> {
    // Fail closed before the first packet: the kill switch is in place while connecting.
    await this.hook('kill switch', (h) => h.firewall?.apply());
    const now = this.engine.now();
    for (const c of this.clients) c.connect(now);
    this.refresh();
    return this.status();
  }

  async disconnect(): Promise<Status> {
    const now = this.engine.now();
    for (const c of this.clients) c.disconnect(now);
    this.refresh();
    this.connectedSince = null;
    await this.hook('dns', (h) => h.dns?.restore());
    // Only the user's own disconnect lifts the kill switch (SECURITY.md rule 3).
    await this.hook('kill switch', (h) => h.firewall?.remove());
    return this.status();
  }

  /** What the user asked for: a clean stop keeps the kill switch unless they disconnected. */
  get wantsConnected(): boolean {
    return this.clients.length === 0 || this.clients.some((c) => c.machine.target === 'connected');
  }

  async listInterfaces(): Promise<InterfaceInfo[]> {
    return this.netmon.interfaces
      .filter((i) => i.name !== 'lo' && i.name !== this.o.tun.name)
      .map((i) => ({
        name: i.name,
        kind: i.kind,
        addresses: i.addresses,
        up: i.up,
        enabled: !this.disabled.has(i.name),
        metered: i.metered,
      }));
  }

  async setInterfaceEnabled(name: string, enabled: boolean): Promise<InterfaceInfo> {
    if (!this.netmon.interfaces.some((i) => i.name === name))
      throw new ControlError('not_found', `no interface named ${name}`);
    if (enabled) this.disabled.delete(name);
    else this.disabled.add(name);
    this.o.log.info(`interface ${name} ${enabled ? 'enabled' : 'disabled'} by the user`);
    this.refresh();
    const info = (await this.listInterfaces()).find((i) => i.name === name);
    if (!info) throw new ControlError('not_found', `no interface named ${name}`);
    return info;
  }

  async setMode(mode: Mode): Promise<Status> {
    this.mode = mode;
    for (const s of this.sessions.values()) s.setScheduler(s.peerSchedule ?? this.schedulerConfig());
    for (const c of this.clients) {
      c.setMultipath(mode !== 'disable');
      c.announceSchedule();
    }
    this.refresh();
    return this.status();
  }

  async setScheduler(name: SchedulerName): Promise<Status> {
    this.scheduler = name;
    for (const s of this.sessions.values()) s.setScheduler(s.peerSchedule ?? this.schedulerConfig());
    for (const c of this.clients) c.announceSchedule();
    return this.status();
  }

  async listPeers(): Promise<PeerInfo[]> {
    return this.o.config.peers.map((p) => {
      const s = this.sessions.get(p.nodeId);
      const ep = p.endpoint ? [`${p.endpoint.host}:${p.endpoint.port}`] : [];
      return {
        nodeId: p.nodeId,
        endpoints: ep,
        routes: p.allowedIps.map(formatCidr),
        connected: (s?.manager.usableCount() ?? 0) > 0,
        paths: s?.paths.size ?? 0,
        ...(s
          ? {
              mode: s.scheduler.config.mode,
              scheduler: schedulerNameOf(s.scheduler.config.strategy),
              peerChose: s.peerSchedule !== null,
            }
          : {}),
      };
    });
  }

  sample(): StatsSample {
    return this.stats.sample();
  }

  /** Counters for tests and the lab (not part of the control API). */
  counters(): Record<string, number> {
    return helperCounters(this.engine, this.o.tun, this.server, this.sessions.values());
  }

  async stop(): Promise<void> {
    await this.hook('dns', (h) => h.dns?.restore());
    const now = this.engine.now() as Millis;
    if (this.statsTimer) clearInterval(this.statsTimer);
    for (const c of this.clients) c.disconnect(now);
    this.server?.close();
    this.engine.flushDirty();
    this.netmon.stop();
    this.engine.stop();
  }
}

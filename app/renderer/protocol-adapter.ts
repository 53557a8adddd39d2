// The one place where helper protocol messages (app/protocol) become the renderer's view model.
// Pure functions, types only from the protocol: used by Electron main and by the web bridge, so
// both feed the renderer identical snapshots.
import type { ErrorCode } from '../protocol/errors.ts';
import type {
  InterfaceInfo,
  PathSample,
  PeerInfo,
  SessionState,
  StatsSample,
  Status,
} from '../protocol/schema.ts';
import { deriveBanners } from './banners.ts';
import type {
  HelperDownReason,
  HelperView,
  InterfaceView,
  PathSampleView,
  PeerView,
  Snapshot,
  StatsView,
} from './model.ts';

export function toInterfaceView(i: InterfaceInfo): InterfaceView {
  return {
    name: i.name,
    kind: i.kind,
    addresses: [...i.addresses],
    up: i.up,
    enabled: i.enabled,
    metered: i.metered,
  };
}

export function toPathView(p: PathSample): PathSampleView {
  return {
    pathId: p.pathId,
    interface: p.interface,
    state: p.state,
    rttMs: p.rttMs,
    rttVarMs: p.rttVarMs,
    lossRatio: p.loss,
    txBps: p.txBps,
    rxBps: p.rxBps,
    share: p.share,
    cwnd: p.cwndBytes,
    reorderEvents: p.reorderEvents,
    stalled: p.stalled === true,
  };
}

export function toStatsView(s: StatsSample, sessionUptimeMs: number): StatsView {
  return {
    atMs: s.atMs,
    paths: s.paths.map(toPathView),
    aggregate: { txBps: s.aggregate.txBps, rxBps: s.aggregate.rxBps },
    sessionUptimeMs,
  };
}

/** The peer to show: the first connected one, else the first configured one. */
export function toPeerView(peers: readonly PeerInfo[]): PeerView | null {
  const p = peers.find((x) => x.connected) ?? peers[0];
  if (!p) return null;
  return {
    nodeId: p.nodeId,
    ...(p.name !== undefined ? { name: p.name } : {}),
    ...(p.endpoints[0] !== undefined ? { endpoint: p.endpoints[0] } : {}),
    connected: p.connected,
  };
}

/** Maps a control-client failure to why the helper is down, and so to the remedy shown. */
export function helperDownReason(code: ErrorCode | string, installed: boolean): HelperDownReason {
  switch (code) {
    case 'not_running':
      return installed ? 'not-running' : 'not-installed';
    case 'permission_denied':
      return 'permission-denied';
    case 'version_mismatch':
      return 'incompatible';
    default:
      return 'unreachable';
  }
}

export interface HelperFacts {
  status: Status;
  /** Actual session state from whichever arrived last: a status answer or a sample. */
  state: SessionState;
  interfaces: readonly InterfaceInfo[];
  peers: readonly PeerInfo[];
  sample: StatsSample | null;
  /** Session uptime at `sample` (or now), ms. */
  uptimeMs: number;
  readOnly: boolean;
}

/** Snapshot of a reachable helper. */
export function snapshotFromHelper(f: HelperFacts): Snapshot {
  const state = f.state;
  const helper: HelperView = { reachable: true, version: f.status.helperVersion, readOnly: f.readOnly };
  const activePaths = f.sample
    ? f.sample.paths.filter((p) => p.state === 'active').length
    : f.status.activePaths;
  const lastError = f.status.lastError
    ? { code: f.status.lastError.code, message: f.status.lastError.message }
    : undefined;
  return {
    state,
    target: f.status.target,
    peer: toPeerView(f.peers),
    mode: f.status.mode,
    scheduler: f.status.scheduler,
    interfaces: f.interfaces.map(toInterfaceView),
    ...(lastError ? { lastError } : {}),
    helper,
    banners: deriveBanners(state, helper, lastError, activePaths),
    stats: f.sample ? toStatsView(f.sample, f.uptimeMs) : null,
  };
}

/**
 * Snapshot while the helper cannot be reached. Keeps the last known interfaces, mode and
 * scheduler (greyed out by the UI) so the window does not go blank.
 */
export function snapshotHelperDown(
  prev: Snapshot | null,
  down: { reason: HelperDownReason; detail: string; retryInMs?: number },
): Snapshot {
  const helper: HelperView = {
    reachable: false,
    reason: down.reason,
    detail: down.detail,
    readOnly: false,
    ...(down.retryInMs !== undefined ? { retryInMs: down.retryInMs } : {}),
  };
  return {
    state: 'helper-down',
    target: prev?.target ?? 'disconnected',
    peer: prev?.peer ?? null,
    mode: prev?.mode ?? 'aggregate',
    scheduler: prev?.scheduler ?? 'weighted',
    interfaces: prev?.interfaces ?? [],
    helper,
    banners: deriveBanners('helper-down', helper, undefined, 0),
    stats: null,
  };
}

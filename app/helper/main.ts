// quicether-helper: the privileged process. Loads the TOML config, loads (or creates) the node's
// identity, creates and addresses the TUN device, installs routes for the peers' prefixes, starts
// the data plane and the control socket, and runs until SIGINT/SIGTERM.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { nativeAvailable, nativeUnavailableReason } from '../../native/index.ts';
import { cidrContains, formatCidr, parseCidr } from '../core/cidr.ts';
import type { NodeId } from '../core/types.ts';
import { applyCliOverrides, type Config, loadConfig } from './config/index.ts';
import { type MetricsHttp, startMetricsHttp } from './control/metrics-http.ts';
import { ControlServer } from './control/server.ts';
import { loadMinorGc } from './dataplane/send-gc.ts';
import { generateIdentity, loadIdentity, saveIdentity } from './identity/index.ts';
import { openTunPort } from './io/native-tun.ts';
import { openUdpPort } from './io/open-udp.ts';
import { peerCredentialsOf } from './io/peer-cred.ts';
import { createLog, type Log } from './logger.ts';
import { type NodeHooks, QuicEtherNode } from './node.ts';
import { applyDns, restoreDns } from './system/dns.ts';
import { addTunRoute, routeDevice } from './system/ip.ts';
import { applyKillSwitch, removeKillSwitch } from './system/killswitch.ts';

export const DEFAULT_CONFIG_PATH = '/etc/quicether/config.toml';
const DEFAULT_SOCKET = '/run/quicether/helper.sock';

export interface StartOptions {
  configPath?: string;
  interfaces?: string[];
  multipath?: string;
  socketPath?: string;
  /** Resolves once the node runs (tests and the lab wait on it). */
  onReady?: (node: QuicEtherNode) => void;
  /** Stops the helper when aborted (instead of a signal). */
  signal?: AbortSignal;
}

export class HelperStartError extends Error {
  readonly code = 'HELPER_START_FAILED';
}

async function loadOrCreateIdentity(
  cfg: Config,
  log: Log,
): Promise<{ nodeId: NodeId; keyPem: string; certPem: string }> {
  const dir = cfg.node.identityDir;
  const loaded = await loadIdentity(dir);
  if (loaded.ok) return loaded.value;
  log.warn(`no usable identity in ${dir} (${loaded.error}); creating one`);
  const id = await generateIdentity();
  await saveIdentity(dir, id);
  log.info(`new identity ${id.nodeId} saved in ${dir}`);
  return id;
}

async function resolveEndpoints(cfg: Config): Promise<Map<NodeId, { host: string; port: number }>> {
  const out = new Map<NodeId, { host: string; port: number }>();
  for (const p of cfg.peers) {
    if (!p.endpoint) continue;
    let host = p.endpoint.host;
    if (!isIP(host)) host = (await lookup(host, { family: 4 })).address;
    out.set(p.nodeId, { host, port: p.endpoint.port });
  }
  return out;
}

/**
 * Routing-loop guard (SECURITY.md L7): a peer endpoint inside a prefix we route into the tunnel
 * would send the tunnel's own packets into itself. Refuse to start instead of melting down.
 */
function checkRoutingLoop(cfg: Config, endpoints: Map<NodeId, { host: string }>): void {
  for (const [id, ep] of endpoints) {
    const addr = parseCidr(`${ep.host}/32`);
    if (!addr.ok) continue;
    for (const peer of cfg.peers) {
      for (const prefix of peer.allowedIps) {
        // A default route is a full tunnel, which is safe: every path socket is bound to its
        // interface (SO_BINDTODEVICE), so the tunnel's own UDP cannot enter the tunnel. Without
        // the native addon there is no device binding, and a full tunnel would loop.
        if (prefix.prefixLen === 0) {
          if (!nativeAvailable)
            throw new HelperStartError(
              `a full tunnel (${formatCidr(prefix)} in allowed_ips) needs the native addon to bind path sockets to their interfaces, and it is not available: ${nativeUnavailableReason ?? 'unknown reason'}`,
            );
          continue;
        }
        if (cidrContains(prefix, addr.value)) {
          throw new HelperStartError(
            `routing loop: peer ${id}'s endpoint ${ep.host} lies inside ${formatCidr(prefix)}, which is routed into the tunnel. Remove it from allowed_ips or use another endpoint.`,
          );
        }
      }
    }
  }
}

export async function runHelper(opts: StartOptions = {}): Promise<void> {
  const log = createLog('helper');
  let cfg = await loadConfig(opts.configPath ?? DEFAULT_CONFIG_PATH);
  cfg = applyCliOverrides(cfg, {
    ...(opts.interfaces ? { interfaces: opts.interfaces } : {}),
    ...(opts.multipath ? { multipath: opts.multipath } : {}),
  });
  if (!cfg.tunnel.address)
    throw new HelperStartError(`${cfg.source}: tunnel.address: required (e.g. address = "198.19.0.2/24")`);
  if (cfg.tunnel.address.family !== 4)
    throw new HelperStartError(
      `${cfg.source}: tunnel.address: only IPv4 tunnel addresses are supported so far`,
    );

  const identity = await loadOrCreateIdentity(cfg, log);
  const endpoints = await resolveEndpoints(cfg);
  checkRoutingLoop(cfg, endpoints);

  const hooks = securityHooks(cfg, endpoints, log);
  // Fail closed from the start: blocking rules are in place before the TUN and any path exist.
  await hooks.firewall?.apply();
  await hooks.dns?.restore(); // a crashed run may have left our resolv.conf behind

  const addr = formatCidr(cfg.tunnel.address).split('/')[0] as string;
  const tunOpened = openTunPort({
    name: cfg.tunnel.name,
    mtu: cfg.tunnel.mtu,
    address: addr,
    prefixLength: cfg.tunnel.address.prefixLen,
    up: true,
    offload: cfg.tunnel.offload,
  });
  if (!tunOpened.ok)
    throw new HelperStartError(`cannot create TUN device ${cfg.tunnel.name}: ${tunOpened.error.message}`);
  const tun = tunOpened.port;
  let listenPort = null;
  let node: QuicEtherNode | null = null;
  let control: ControlServer | null = null;
  let metrics: MetricsHttp | null = null;
  try {
    for (const peer of cfg.peers)
      for (const prefix of peer.allowedIps) await addTunRoute(formatCidr(prefix), tun.name);
    // Second line of defence: the kernel must not route any endpoint into the tunnel either.
    const fullTunnel = cfg.peers.some((p) => p.allowedIps.some((c) => c.prefixLen === 0));
    for (const [id, ep] of fullTunnel ? [] : endpoints) {
      const dev = await routeDevice(ep.host);
      if (dev === tun.name)
        throw new HelperStartError(
          `routing loop: the kernel routes peer ${id}'s endpoint ${ep.host} into ${tun.name}`,
        );
    }
    if (cfg.node.listen) {
      const opened = await openUdpPort({
        address: cfg.node.listen.host,
        port: cfg.node.listen.port,
        recvBufferSize: 4 << 20,
        sendBufferSize: 4 << 20,
      });
      listenPort = opened.port;
      if (opened.fallbackReason) log.warn(`listen socket: ${opened.fallbackReason}`);
    }
    const minorGc = loadMinorGc();
    if (minorGc === null) log.warn("no minor GC from V8: the data path keeps V8's own, longer GC pauses");
    node = new QuicEtherNode({
      config: cfg,
      nodeId: identity.nodeId,
      identity,
      tun,
      listenPort,
      endpoints,
      log,
      hooks,
      minorGc,
    });
    await node.start();
    // An explicit --socket / QUICETHER_SOCKET wins; otherwise the config's [control] socket.
    const socketPath =
      opts.socketPath && opts.socketPath !== DEFAULT_SOCKET ? opts.socketPath : cfg.control.socket;
    const ctlLog = log.child('control');
    control = await ControlServer.listen({
      helper: node,
      socketPath,
      socketGroup: cfg.control.group ?? null,
      ...(cfg.control.group ? { adminGroup: cfg.control.group } : {}),
      peerCredentials: (s) => peerCredentialsOf(s),
      log: { info: (m) => ctlLog.info(m), warn: (m) => ctlLog.warn(m) },
    });
    if (cfg.control.metrics) {
      metrics = await startMetricsHttp({
        source: node,
        host: cfg.control.metrics.host,
        port: cfg.control.metrics.port,
      });
      log.info(`Prometheus metrics on http://${metrics.host}:${metrics.port}/metrics`);
    }
    log.info(
      `running: node ${identity.nodeId}, ${tun.name} ${formatCidr(cfg.tunnel.address)} mtu ${cfg.tunnel.mtu}, ` +
        `${cfg.peers.length} peer(s), mode ${cfg.multipath.mode}, control socket ${control.socketPath}`,
    );
    opts.onReady?.(node);
    await waitForStop(opts.signal);
    log.info('stopping');
  } finally {
    await control?.close().catch(() => undefined);
    await metrics?.close().catch(() => undefined);
    const keepBlocking = node?.wantsConnected ?? true;
    await node?.stop();
    // A stop while the user wants the tunnel keeps the kill switch: nothing leaks until they
    // disconnect or the helper comes back (SECURITY.md L8).
    if (!keepBlocking) await hooks.firewall?.remove().catch(() => undefined);
    listenPort?.close();
    tun.close();
  }
}

function securityHooks(
  cfg: Config,
  endpoints: Map<NodeId, { host: string; port: number }>,
  log: Log,
): NodeHooks {
  const hooks: NodeHooks = {};
  if (cfg.killswitch.enabled) {
    const opts = {
      tunName: cfg.tunnel.name,
      endpoints: [...endpoints.values()],
      allowLan: cfg.killswitch.allowLan,
    };
    hooks.firewall = {
      apply: async () => {
        await applyKillSwitch(opts);
        log.info(
          `kill switch on: only ${cfg.tunnel.name} and the helper's UDP to ${opts.endpoints.map((e) => `${e.host}:${e.port}`).join(', ') || 'no peer'}`,
        );
      },
      remove: async () => {
        await removeKillSwitch();
        log.info('kill switch off');
      },
    };
  }
  if (cfg.dns.servers.length > 0) {
    hooks.dns = {
      apply: async () => {
        const backend = await applyDns({
          servers: cfg.dns.servers,
          searchDomains: cfg.dns.search,
          tunName: cfg.tunnel.name,
        });
        log.info(`DNS through the tunnel (${cfg.dns.servers.join(', ')}) via ${backend}`);
      },
      restore: async () => {
        if (await restoreDns({ tunName: cfg.tunnel.name })) log.info('DNS restored');
      },
    };
  }
  return hooks;
}

function waitForStop(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

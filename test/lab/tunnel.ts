// Two real QuicEther helpers in the lab: "laptop" dials the gateway over every lab path, "gw"
// listens on 198.18.0.1:4433 (an address on its loopback, reachable over either path, as a real
// gateway's one public address is reachable over both of a laptop's ISPs).
//
//   laptop quicether0 198.19.0.2/24  ──QUIC over wifi0 + lte0──►  gw quicether0 198.19.0.1/24
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateIdentity, saveIdentity } from '../../app/helper/identity/index.ts';
import { run, runIn, sleep, spawnIn, waitExit } from './exec.ts';
import type { Lab } from './lab.ts';

export const GW_TUN = '198.19.0.1';
export const LAPTOP_TUN = '198.19.0.2';
export const GW_ENDPOINT = '198.18.0.1';
export const GW_PORT = 4433;

const REPO = resolve(import.meta.dirname, '../..');
const CLI = join(REPO, 'bin', 'quicether.js');

export interface HelperProc {
  ns: string;
  socket: string;
  proc: ChildProcess;
  log: string[];
  stop(): Promise<void>;
}

export interface Tunnel {
  dir: string;
  laptop: HelperProc;
  gw: HelperProc;
  laptopNodeId: string;
  gwNodeId: string;
  /** Runs `quicether ARGS --socket S` against one side; resolves with stdout. */
  cli(side: 'laptop' | 'gw', args: string[]): Promise<string>;
  destroy(): Promise<void>;
}

export interface TunnelOptions {
  /** Extra [multipath] lines for the laptop (e.g. 'mode = "failover"'). */
  laptopMultipath?: string[];
  /** What the laptop routes to the gateway (default: the gateway's tunnel address only). */
  laptopAllowedIps?: string[];
  /** Extra lines in the laptop's [control] table (e.g. 'metrics = "127.0.0.1:9469"'). */
  laptopControlExtra?: string[];
  /** Extra TOML appended to the laptop's config (e.g. a [killswitch] table). */
  laptopExtra?: string[];
  /** Override the NodeId the laptop expects of the gateway (wrong-peer tests). */
  laptopExpectsGw?: string;
  /** Extra allowed_ips of the laptop peer as the gateway sees it. */
  gwAllowsLaptop?: string[];
  /** Wait for this many joined paths (default: every lab path). */
  waitPaths?: number;
  startHelpers?: boolean;
  /** TSO/GRO offload on both TUN devices ([tunnel] offload; the helper's default is on). */
  tunOffload?: boolean;
  /** Extra lines in the laptop's / the gateway's [tunnel] table (e.g. 'header_compression = false'). */
  laptopTunnel?: string[];
  gwTunnel?: string[];
  /**
   * Run a packaged build instead of the sources: the root of an app laid out as electron-builder
   * packs it (bin/, dist/, package.json; see test/lab/packaged.ts). The helpers start as the
   * systemd unit starts them (bin/quicether-helper.js, QUICETHER_NATIVE) and `cli` runs that
   * build's bin/quicether.js.
   */
  packaged?: { root: string; native: string };
  /**
   * Run both helpers as this uid (and gid) with CAP_NET_ADMIN as their only capability and
   * no_new_privs, as resources/linux/quicether-helper.service runs the helper (User=,
   * AmbientCapabilities=CAP_NET_ADMIN, CapabilityBoundingSet=CAP_NET_ADMIN, NoNewPrivileges=yes).
   * The tunnel's folder (configs, identities, sockets) is handed to that user.
   */
  asUser?: number;
}

/** setpriv's arguments that give a process the helper unit's privileges as `uid`. */
export function unitPrivileges(uid: number): string[] {
  return [
    `--reuid=${uid}`,
    `--regid=${uid}`,
    '--clear-groups',
    '--inh-caps=-all,+net_admin',
    '--ambient-caps=-all,+net_admin',
    '--bounding-set=-all,+net_admin',
    '--no-new-privs',
  ];
}

export async function startTunnel(lab: Lab, opts: TunnelOptions = {}): Promise<Tunnel> {
  const dir = await mkdtemp(join(tmpdir(), 'qe-tunnel-'));
  const [lid, gid] = await Promise.all([generateIdentity(), generateIdentity()]);
  await saveIdentity(join(dir, 'laptop-id'), lid);
  await saveIdentity(join(dir, 'gw-id'), gid);
  // The gateway's one "public" address, on its loopback; the laptop reaches it over each path.
  await runIn(lab.gw, 'ip', ['addr', 'add', `${GW_ENDPOINT}/32`, 'dev', 'lo']);
  for (const p of lab.paths) {
    await runIn(lab.laptop, 'ip', [
      'route',
      'replace',
      'default',
      'via',
      p.gwAddr,
      'dev',
      p.name,
      'table',
      String(100 + p.subnet),
    ]);
  }
  // Without a source rule (before a path socket binds), the first path is the default way there.
  const first = lab.paths[0];
  if (first)
    await runIn(lab.laptop, 'ip', [
      'route',
      'replace',
      `${GW_ENDPOINT}/32`,
      'via',
      first.gwAddr,
      'dev',
      first.name,
    ]);

  const laptopCfg = `
[node]
identity_dir = "${join(dir, 'laptop-id')}"

[tunnel]
name = "quicether0"
address = "${LAPTOP_TUN}/24"
${opts.tunOffload === false ? 'offload = false' : ''}
${(opts.laptopTunnel ?? []).join('\n')}

[[peers]]
node_id = "${opts.laptopExpectsGw ?? gid.nodeId}"
endpoint = "${GW_ENDPOINT}:${GW_PORT}"
allowed_ips = [${(opts.laptopAllowedIps ?? [`${GW_TUN}/32`]).map((a) => `"${a}"`).join(', ')}]

[multipath]
interfaces = [${lab.paths.map((p) => `"${p.name}"`).join(', ')}]
${(opts.laptopMultipath ?? []).join('\n')}

[control]
socket = "${join(dir, 'laptop.sock')}"
${(opts.laptopControlExtra ?? []).join('\n')}

${(opts.laptopExtra ?? []).join('\n')}
`;
  const gwCfg = `
[node]
identity_dir = "${join(dir, 'gw-id')}"
listen = "${GW_ENDPOINT}:${GW_PORT}"

[tunnel]
name = "quicether0"
address = "${GW_TUN}/24"
${opts.tunOffload === false ? 'offload = false' : ''}
${(opts.gwTunnel ?? []).join('\n')}

[[peers]]
node_id = "${lid.nodeId}"
allowed_ips = [${[`${LAPTOP_TUN}/32`, ...(opts.gwAllowsLaptop ?? [])].map((s) => `"${s}"`).join(', ')}]

[control]
socket = "${join(dir, 'gw.sock')}"
`;
  await writeFile(join(dir, 'laptop.toml'), laptopCfg);
  await writeFile(join(dir, 'gw.toml'), gwCfg);
  if (opts.asUser !== undefined) await run('chown', ['-R', `${opts.asUser}:${opts.asUser}`, dir]);

  const start = (ns: string, name: string): HelperProc => {
    const log: string[] = [];
    // QUICETHER_HELPER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles both helpers.
    const nodeArgs = (process.env.QUICETHER_HELPER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const config = join(dir, `${name}.toml`);
    const pkg = opts.packaged;
    const args = pkg
      ? [...nodeArgs, join(pkg.root, 'bin/quicether-helper.js'), '--config', config]
      : [...nodeArgs, CLI, 'start', '--config', config];
    const env = pkg
      ? { ...process.env, QUICETHER_LOG: 'pretty', QUICETHER_NATIVE: pkg.native, NODE_ENV: 'production' }
      : { ...process.env, QUICETHER_LOG: 'pretty' };
    const proc =
      opts.asUser === undefined
        ? spawnIn(ns, process.execPath, args, { env })
        : spawnIn(
            ns,
            'unshare',
            // A desktop's udev makes /dev/net/tun 0666 (the unit relies on it); this VM's is 0600.
            // A 0666 node bound over it in a private mount namespace, the host's left alone.
            [
              '--mount',
              'sh',
              '-c',
              'mknod -m 0666 "$0" c 10 200 && mount --bind "$0" /dev/net/tun && exec "$@"',
              join(dir, `${name}.tun`),
              'setpriv',
              ...unitPrivileges(opts.asUser),
              process.execPath,
              ...args,
            ],
            { env: { ...env, HOME: dir } },
          );
    const keep = (d: Buffer) => {
      for (const line of d.toString().split('\n')) if (line) log.push(line);
      if (log.length > 2000) log.splice(0, log.length - 2000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    return {
      ns,
      socket: join(dir, `${name}.sock`),
      proc,
      log,
      async stop() {
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.kill('SIGTERM');
          if ((await waitExit(proc, 5000)) === null) proc.kill('SIGKILL');
        }
      },
    };
  };

  const gw = start(lab.gw, 'gw');
  const laptop = start(lab.laptop, 'laptop');
  const tunnel: Tunnel = {
    dir,
    laptop,
    gw,
    laptopNodeId: lid.nodeId,
    gwNodeId: gid.nodeId,
    cli: (side, args) => {
      const h = side === 'laptop' ? laptop : gw;
      const cli = opts.packaged ? join(opts.packaged.root, 'bin/quicether.js') : CLI;
      return runIn(h.ns, process.execPath, [cli, ...args, '--socket', h.socket], 30_000);
    },
    async destroy() {
      await laptop.stop();
      await gw.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    const want = opts.waitPaths ?? lab.paths.length;
    if (want > 0) await waitForPaths(tunnel, want, 20_000);
    return tunnel;
  } catch (e) {
    const logs = `--- laptop log ---\n${laptop.log.slice(-40).join('\n')}\n--- gw log ---\n${gw.log.slice(-40).join('\n')}`;
    await tunnel.destroy();
    throw new Error(`${(e as Error).message}\n${logs}`);
  }
}

interface StatusJson {
  state: string;
  activePaths: number;
}

/** Polls the laptop's status until `n` paths are active (bounded). */
export async function waitForPaths(t: Tunnel, n: number, timeoutMs: number): Promise<StatusJson> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (t.laptop.proc.exitCode !== null) throw new Error(`laptop helper exited (${t.laptop.proc.exitCode})`);
    if (t.gw.proc.exitCode !== null) throw new Error(`gw helper exited (${t.gw.proc.exitCode})`);
    try {
      last = await t.cli('laptop', ['status', '--json']);
      const s = JSON.parse(last) as StatusJson;
      if (s.activePaths >= n) return s;
    } catch (e) {
      last = String(e);
    }
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${n} active path(s); last status: ${last}`);
}

/** Cumulative bytes sent per path interface, from one watch sample of the laptop. */
export async function pathTx(
  t: Tunnel,
): Promise<Record<string, { state: string; txBps: number; rxBps: number }>> {
  const out = await t.cli('laptop', ['watch', '--json', '--count', '1', '--interval', '200']);
  const lines = out
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as {
          type?: string;
          paths?: { interface: string; state: string; txBps: number; rxBps: number }[];
          sample?: { paths: { interface: string; state: string; txBps: number; rxBps: number }[] };
        },
    );
  const last = lines[lines.length - 1];
  const paths = last?.paths ?? last?.sample?.paths ?? [];
  const r: Record<string, { state: string; txBps: number; rxBps: number }> = {};
  for (const p of paths) r[p.interface] = { state: p.state, txBps: p.txBps, rxBps: p.rxBps };
  return r;
}

export { sleep };

// `sudo npm run demo`: the whole product on one headless machine. A two-namespace lab ("laptop" and
// "gateway", paths wifi0 50 Mbit/s ~20 ms RTT and lte0 20 Mbit/s ~60 ms RTT), both real helpers,
// steady paced UDP through the tunnel both ways, and the web dashboard on 127.0.0.1 connected to
// the laptop helper's control socket. Ctrl-C (SIGINT/SIGTERM) tears everything down; so does an
// error, and so does the end of `--duration S` (used by test/integration/demo.test.ts).
//
//   sudo npm run demo [-- --duration S] [-- --port N]
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isRoot, sleep, waitExit } from './exec.ts';
import { createLab, type Lab } from './lab.ts';
import { type Supervised, udpStream } from './traffic.ts';
import { GW_TUN, LAPTOP_TUN, startTunnel, type Tunnel } from './tunnel.ts';

const REPO = resolve(import.meta.dirname, '../..');
const RENDERER_INDEX = join(REPO, 'dist/renderer/index.html');
/** Traffic never outlives this, even if teardown were somehow skipped. */
const TRAFFIC_CAP_S = 24 * 3600;
// Paced rates: well inside the two paths together (70 Mbit/s) and light on 2 cores.
const UP_KBPS = 16_000;
const DOWN_KBPS = 6_000;

function parse(): { durationS: number | null; port: number } {
  const { values } = parseArgs({
    options: { duration: { type: 'string' }, port: { type: 'string', default: '0' } },
    strict: true,
  });
  const durationS = values.duration === undefined ? null : Number(values.duration);
  if (durationS !== null && !(Number.isFinite(durationS) && durationS > 0))
    throw new Error('--duration must be a positive number of seconds');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be 0..65535');
  return { durationS, port };
}

async function ensureRenderer(): Promise<void> {
  if (existsSync(RENDERER_INDEX)) return;
  console.log('demo: building the dashboard (vite build, once)…');
  const { build } = await import('vite');
  await build({ configFile: join(REPO, 'vite.config.ts'), logLevel: 'error' });
}

/** Starts app/web-bridge/main.ts (the real dashboard entry) and resolves with the URL it prints. */
function startDashboard(socket: string, port: number): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO, 'app/web-bridge/main.ts'),
      '--socket',
      socket,
      '--port',
      String(port),
      '--quiet',
    ],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((res, rej) => {
    let out = '';
    const timer = setTimeout(() => rej(new Error('the dashboard did not print its URL within 30 s')), 30_000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /https?:\/\/127\.0\.0\.1:\d+\/\S*/.exec(out);
      if (m) {
        clearTimeout(timer);
        res({ proc, url: m[0] });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`the dashboard exited (${code}): ${err.trim()}`));
    });
  });
}

async function main(): Promise<number> {
  const { durationS, port } = parse();
  if (!isRoot()) {
    console.error(
      'The QuicEther demo needs root to create network namespaces: run it as `sudo npm run demo`.',
    );
    return 1;
  }

  let onStop: () => void = () => {};
  // Set by the first signal; setup checks it between steps so Ctrl-C during setup stops soon.
  let interrupted: string | null = null;
  let ready = false;
  const stopped = new Promise<string>((res) => {
    const handler = (sig: NodeJS.Signals) => {
      if (interrupted) console.error(`demo: ${sig} again; still tearing down, please wait`);
      else if (!ready)
        console.log(`demo: ${sig}: stopping once the current setup step ends (at most ~20 s)…`);
      interrupted ??= sig;
      res(sig);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    onStop = () => res('duration');
  });

  let lab: Lab | undefined;
  let tunnel: Tunnel | undefined;
  const traffic: Supervised[] = [];
  let dashboard: ChildProcess | undefined;
  try {
    await ensureRenderer();
    if (interrupted) return 0;
    lab = await createLab(
      [
        { name: 'wifi0', subnet: 1, rate: '50mbit' },
        { name: 'lte0', subnet: 2, rate: '20mbit' },
      ],
      'demo',
    );
    console.log(`demo: lab namespaces ${lab.laptop} (laptop) and ${lab.gw} (gateway)`);
    await lab.setDelay('wifi0', { rttMs: 20 });
    await lab.setDelay('lte0', { rttMs: 60 });
    if (interrupted) return 0;
    tunnel = await startTunnel(lab);
    if (interrupted) return 0;
    const t = tunnel;
    traffic.push(
      udpStream({
        fromNs: lab.laptop,
        toNs: lab.gw,
        host: GW_TUN,
        port: 5201,
        kbps: UP_KBPS,
        maxSeconds: TRAFFIC_CAP_S,
      }),
      udpStream({
        fromNs: lab.gw,
        toNs: lab.laptop,
        host: LAPTOP_TUN,
        port: 5202,
        kbps: DOWN_KBPS,
        maxSeconds: TRAFFIC_CAP_S,
      }),
    );
    const dash = await startDashboard(t.laptop.socket, port);
    dashboard = dash.proc;
    const cli = `sudo node bin/quicether.js --socket ${t.laptop.socket}`;
    console.log(`
QuicEther lab demo is running.

  Dashboard:  ${dash.url}
              (from another machine: ssh -L ${new URL(dash.url).port}:127.0.0.1:${new URL(dash.url).port} this-host, then open it there)

  Laptop ${lab.laptop}: wifi0 50 Mbit/s ~20 ms RTT, lte0 20 Mbit/s ~60 ms RTT, tunnel ${LAPTOP_TUN}
  Gateway ${lab.gw}: tunnel ${GW_TUN}
  Traffic: paced UDP through the tunnel, ${UP_KBPS / 1000} Mbit/s up and ${DOWN_KBPS / 1000} Mbit/s down

  Try:
    ${cli} status
    ${cli} paths
    ${cli} watch
    ${cli} iface disable lte0      (and: iface enable lte0)
    ${cli} disconnect              (and: connect)
    sudo ip netns exec ${lab.laptop} ping ${GW_TUN}

${durationS === null ? 'Ctrl-C stops the demo and removes the lab.' : `Stopping by itself after ${durationS} s.`}`);
    if (durationS !== null) setTimeout(onStop, durationS * 1000).unref();
    const onDashboardExit = (code: number | null) => {
      console.error(`demo: the dashboard exited (${code}); stopping`);
      onStop();
    };
    dashboard.once('exit', onDashboardExit);
    ready = true;
    const why = await stopped;
    dashboard.off('exit', onDashboardExit);
    console.log(`demo: stopping (${why})…`);
    return 0;
  } catch (e) {
    // A setup step that failed because Ctrl-C also reached the helpers is no error of the demo.
    if (interrupted) return 0;
    throw e;
  } finally {
    if (dashboard && dashboard.exitCode === null && dashboard.signalCode === null) {
      dashboard.kill('SIGTERM');
      await waitExit(dashboard, 5_000);
    }
    await Promise.all(traffic.map((s) => s.stop()));
    await tunnel?.destroy().catch((e: unknown) => console.error(`demo: stopping the helpers: ${String(e)}`));
    await sleep(50);
    await lab?.destroy();
    if (lab) console.log(`demo: removed ${lab.laptop} and ${lab.gw}`);
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`demo: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);

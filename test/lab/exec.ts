// Small process helpers for the lab: run a command, fail loudly with its stderr.
import { type ChildProcess, execFile, type SpawnOptions, spawn, spawnSync } from 'node:child_process';

export class CommandError extends Error {
  constructor(
    readonly cmd: string,
    readonly code: number | null,
    readonly stderr: string,
    readonly stdout = '',
  ) {
    super(`command failed (${code}): ${cmd}\n${stderr.trim()}`);
  }
}

/** Runs a command and resolves with its stdout; rejects with CommandError (bounded by timeoutMs). */
export function run(cmd: string, args: readonly string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const code = typeof err.code === 'number' ? err.code : null;
        reject(
          new CommandError([cmd, ...args].join(' '), code, String(stderr || err.message), String(stdout)),
        );
      } else resolve(String(stdout));
    });
  });
}

/** `ip netns exec NS cmd args…` */
export const runIn = (
  ns: string,
  cmd: string,
  args: readonly string[],
  timeoutMs?: number,
): Promise<string> => run('ip', ['netns', 'exec', ns, cmd, ...args], timeoutMs);

/** Runs and ignores failure (teardown paths). */
export async function tryRun(cmd: string, args: readonly string[]): Promise<void> {
  try {
    await run(cmd, args, 10_000);
  } catch {
    /* teardown must go on */
  }
}

/** Spawns a long-running process inside a namespace. */
export function spawnIn(
  ns: string,
  cmd: string,
  args: readonly string[],
  opts: SpawnOptions = {},
): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

/** Waits for a child to exit (or kills it after timeoutMs) and returns its exit code. */
export function waitExit(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs ping inside a namespace and returns its loss percentage (whatever its exit code). */
export async function pingLoss(ns: string, args: readonly string[]): Promise<number> {
  let out: string;
  try {
    out = await runIn(ns, 'ping', args, 60_000);
  } catch (e) {
    out = e instanceof CommandError ? e.stdout : '';
  }
  const m = /(\d+(?:\.\d+)?)% packet loss/.exec(out);
  return m ? Number(m[1]) : 100;
}

/**
 * Whether uid 65534 (nobody) can read the repository at `dir`: tests that run a client as an
 * unprivileged user need it (a clone inside a 0700 temporary folder is unreadable to others).
 */
export function nobodyCanRead(dir: string): boolean {
  const r = spawnSync(
    'setpriv',
    ['--reuid', '65534', '--regid', '65534', '--clear-groups', 'test', '-r', `${dir}/package.json`],
    {
      stdio: 'ignore',
      timeout: 5000,
    },
  );
  return r.status === 0;
}

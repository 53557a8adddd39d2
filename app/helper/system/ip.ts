// Thin wrappers over iproute2 for what the helper configures once per start: routes for peers'
// prefixes through the TUN, source-policy rules for path sockets, and the routing-loop check.
// These run at setup and on interface changes, never on the packet path.
import { execFile } from 'node:child_process';

export class SystemCommandError extends Error {
  readonly code = 'SYSTEM_COMMAND_FAILED';
  constructor(
    readonly command: string,
    readonly detail: string,
  ) {
    super(`${command}: ${detail.trim()}`);
  }
}

export function ip(args: readonly string[], timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', args as string[], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new SystemCommandError(`ip ${args.join(' ')}`, String(stderr || err.message)));
      else resolve(String(stdout));
    });
  });
}

/** Routes `prefix` into the TUN device (idempotent). */
export async function addTunRoute(prefix: string, dev: string): Promise<void> {
  // A default route goes in as two /1 halves (as wg-quick does): more specific than the system's
  // default route, which stays in place for the path sockets bound to the physical interfaces.
  if (prefix === '0.0.0.0/0') {
    await ip(['route', 'replace', '0.0.0.0/1', 'dev', dev]);
    await ip(['route', 'replace', '128.0.0.0/1', 'dev', dev]);
    return;
  }
  await ip(['route', 'replace', prefix, 'dev', dev]);
}

export async function delTunRoute(prefix: string, dev: string): Promise<void> {
  try {
    await ip(['route', 'del', prefix, 'dev', dev]);
  } catch {
    /* already gone with the device */
  }
}

/** Sets an address on an interface and brings it up (used when the native addon is absent). */
export async function addressUp(dev: string, cidr: string, mtu: number): Promise<void> {
  await ip(['addr', 'replace', cidr, 'dev', dev]);
  await ip(['link', 'set', dev, 'mtu', String(mtu), 'up']);
}

/**
 * The device the kernel would use to reach `dst` from `src` (or from anywhere). Used for the
 * routing-loop guard: the tunnel's own UDP must never be routed into the tunnel (SECURITY.md L7).
 */
export async function routeDevice(
  dst: string,
  opts: { from?: string; oif?: string } = {},
): Promise<string | null> {
  const args = ['-j', 'route', 'get', dst];
  if (opts.from) args.push('from', opts.from);
  if (opts.oif) args.push('oif', opts.oif);
  try {
    const rows = JSON.parse(await ip(args)) as { dev?: string }[];
    return rows[0]?.dev ?? null;
  } catch {
    return null;
  }
}

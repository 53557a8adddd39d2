// Interface monitor for Linux: reads the interface list with `ip -j addr` (netlink underneath) and
// watches `ip monitor link address` so a link or address change is seen within milliseconds, not
// on a polling tick. Every change is delivered as a computed delta (app/core/netmon/delta.ts).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { diffInterfaces, type InterfaceChange, type InterfaceInfo, kindOf } from '../../core/netmon/delta.ts';
import { interfaceFingerprint } from './fingerprint.linux.ts';

interface IpAddrJson {
  ifname: string;
  flags?: string[];
  operstate?: string;
  addr_info?: { family: string; local: string }[];
}

/** Parses `ip -j addr show` output into InterfaceInfo records (pure; exported for tests). */
export function parseIpAddrJson(
  json: string,
  isMetered: (name: string, kind: string) => boolean,
): InterfaceInfo[] {
  let rows: IpAddrJson[];
  try {
    rows = JSON.parse(json) as IpAddrJson[];
  } catch {
    return [];
  }
  if (!Array.isArray(rows)) return [];
  return rows
    .filter((r) => typeof r.ifname === 'string')
    .map((r) => {
      const flags = r.flags ?? [];
      // veth and TUN report operstate UNKNOWN when up; trust the flags then.
      const up =
        flags.includes('UP') &&
        (r.operstate === 'UP' || (r.operstate === 'UNKNOWN' && flags.includes('LOWER_UP')));
      const kind = kindOf(r.ifname, sysfsFacts(r.ifname));
      const addresses = (r.addr_info ?? [])
        .filter((a) => a.family === 'inet')
        .map((a) => a.local)
        .sort();
      return { name: r.ifname, kind, up, addresses, metered: isMetered(r.ifname, kind) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function sysfsFacts(name: string): { wireless: boolean; cellularDriver: boolean } {
  const base = `/sys/class/net/${name}`;
  let driver = '';
  try {
    driver = readlinkSync(`${base}/device/driver`);
  } catch {
    /* virtual interfaces have no device */
  }
  return {
    wireless: existsSync(`${base}/wireless`) || existsSync(`${base}/phy80211`),
    cellularDriver: /(cdc_mbim|qmi_wwan|cdc_ncm|option|rmnet)/.test(driver),
  };
}

export interface NetmonOptions {
  isMetered?: (name: string, kind: string) => boolean;
  onChange: (changes: InterfaceChange[], all: InterfaceInfo[]) => void;
  onError?: (err: Error) => void;
}

/** Reads the current interface list once. */
export function readInterfaces(
  isMetered: NetmonOptions['isMetered'] = defaultMetered,
): Promise<InterfaceInfo[]> {
  return new Promise((resolve, reject) => {
    execFile('ip', ['-j', 'addr', 'show'], { timeout: 5000 }, (err, stdout) => {
      if (err) reject(new Error(`reading interfaces with 'ip -j addr show': ${err.message}`));
      else resolve(parseIpAddrJson(String(stdout), isMetered));
    });
  });
}

export const defaultMetered = (_name: string, kind: string): boolean => kind === 'cellular';

/** Re-read at most this often when netlink events burst (an address change emits several). */
const DEBOUNCE_MS = 30;
/** A safety net for a missed event (netlink events do the real work): compares a fingerprint read
 *  without spawning a process, and re-reads with `ip` only when it moved. */
const POLL_MS = 5000;

export class Netmon {
  private current: InterfaceInfo[] = [];
  private monitor: ChildProcess | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private poll: NodeJS.Timeout | null = null;
  private stopped = false;
  private fingerprint = '';

  constructor(private readonly opts: NetmonOptions) {}

  get interfaces(): readonly InterfaceInfo[] {
    return this.current;
  }

  async start(): Promise<InterfaceInfo[]> {
    this.fingerprint = interfaceFingerprint();
    this.current = await readInterfaces(this.opts.isMetered);
    this.monitor = spawn('ip', ['monitor', 'link', 'address'], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.monitor.stdout?.on('data', () => this.schedule());
    this.monitor.on('error', (e) => this.opts.onError?.(e));
    this.poll = setInterval(() => {
      if (interfaceFingerprint() !== this.fingerprint) this.schedule();
    }, POLL_MS);
    this.poll.unref();
    return this.current;
  }

  /** Forces a re-read now (tests, and after the helper changes an interface itself). */
  refresh(): Promise<void> {
    return this.reread();
  }

  stop(): void {
    this.stopped = true;
    this.monitor?.kill();
    this.monitor = null;
    if (this.debounce) clearTimeout(this.debounce);
    if (this.poll) clearInterval(this.poll);
  }

  private schedule(): void {
    if (this.debounce || this.stopped) return;
    this.debounce = setTimeout(() => {
      this.debounce = null;
      void this.reread();
    }, DEBOUNCE_MS);
  }

  private async reread(): Promise<void> {
    let next: InterfaceInfo[];
    // Taken before the read: a change during it moves the fingerprint again, and the poll sees it.
    this.fingerprint = interfaceFingerprint();
    try {
      next = await readInterfaces(this.opts.isMetered);
    } catch (e) {
      this.opts.onError?.(e as Error);
      return;
    }
    if (this.stopped) return;
    const changes = diffInterfaces(this.current, next);
    this.current = next;
    if (changes.length) this.opts.onChange(changes, next);
  }
}

// A cheap summary of what Netmon reads (names, up/down, IPv4 addresses), taken without starting a
// process: getifaddrs (os.networkInterfaces) and sysfs, ~0.1 ms. The 5 s safety-net poll compares
// it and only runs `ip -j addr` when it moved: spawning `ip` from the helper blocked its event
// loop 10-16 ms each time (fork of a ~110 MB process), which an idle tunnel's pings saw as a
// 5 ms+ tail (lab, no delay tool: p50 1.3 ms, p99 4.9-9.4 ms, max 11-16 ms).
import { readdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

const SYS = '/sys/class/net';

function sysfs(name: string, file: string): string {
  try {
    return readFileSync(`${SYS}/${name}/${file}`, 'utf8').trim();
  } catch {
    return '-'; // e.g. carrier reads EINVAL while the link is down
  }
}

/**
 * Changes whenever a link appears, goes away, goes up or down, starts or stops running, or a
 * running link gains or loses an IPv4 address (getifaddrs lists running links' addresses only;
 * a link that starts running changes operstate and carrier, and the re-read sees its addresses).
 */
export function interfaceFingerprint(): string {
  let names: string[];
  try {
    names = readdirSync(SYS).sort();
  } catch {
    return '';
  }
  const addrs = networkInterfaces();
  const lines: string[] = [];
  for (const name of names) {
    const v4 = (addrs[name] ?? [])
      .filter((a) => a.family === 'IPv4')
      .map((a) => a.cidr ?? a.address)
      .sort()
      .join(',');
    lines.push(`${name} ${sysfs(name, 'flags')} ${sysfs(name, 'operstate')} ${sysfs(name, 'carrier')} ${v4}`);
  }
  return lines.join('\n');
}

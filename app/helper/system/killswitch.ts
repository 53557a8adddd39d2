// The kill switch (SECURITY.md rule 3): one nftables table, `inet quicether_ks`, replaced as a
// whole in one `nft -f` transaction, whose base chains drop everything that is not
//   - loopback, the tunnel device (in and out),
//   - the helper's own UDP to each peer endpoint (and the replies),
//   - DHCPv4 / DHCPv6 and IPv6 neighbour discovery (so the laptop keeps its addresses),
//   - optionally the private LAN ranges (`allowLan`).
// Tables live in the kernel: the rules outlive the helper (crash, `kill -9`) and stay until
// removeKillSwitch() deletes the table, which the helper does only on a user's disconnect.
//
// Whose packets reach the peer: nftables cannot see "this process" directly. The choices were
//   - `meta skuid <uid>`: the socket owner's uid. Exact when the helper runs as a dedicated user;
//     when it runs as root, any root process may also reach the peer's one UDP port (nothing else).
//   - `socket cgroupv2 level N "<path>"`: the helper's cgroup (systemd gives it
//     `system.slice/quicether-helper.service`): the tightest match, but only on a unified (v2)
//     cgroup hierarchy and only for sockets created after the helper entered that cgroup.
//   - `meta mark`: needs SO_MARK on the path sockets, which Node's dgram cannot set.
// Default: skuid of the helper (root here); `owner: { kind: 'cgroupv2', … }` where systemd runs it.
//
// Not covered (documented, not silently assumed): AF_PACKET raw sockets (e.g. a DHCP client)
// bypass the inet hooks, as with every nftables-based kill switch; ARP is not IP and passes.
import { spawn } from 'node:child_process';
import { isIP } from 'node:net';

export const KILLSWITCH_TABLE = 'quicether_ks';
/** Marker comment: killSwitchActive() checks it, so a foreign table of the same name is not ours. */
const MARKER = 'quicether kill switch';

export interface HostPortLiteral {
  /** An IPv4 or IPv6 literal (names must be resolved before: the kill switch blocks DNS). */
  host: string;
  port: number;
}

export type KillSwitchOwner =
  | { kind: 'uid'; uid: number }
  | { kind: 'cgroupv2'; path: string; level: number }
  | { kind: 'any' };

export interface KillSwitchOptions {
  tunName: string;
  endpoints: readonly HostPortLiteral[];
  allowLan: boolean;
  /** Network namespace to apply in (`ip netns exec NS nft …`); the lab's tests use it. */
  ns?: string;
  /** Who may send to the endpoints (default: the helper's effective uid). */
  owner?: KillSwitchOwner;
  /**
   * Resolvers the owner may query on port 53 outside the tunnel, so a helper restarting under
   * the kill switch can resolve a peer named by host name. Empty (default): no DNS outside.
   */
  ownerDns?: readonly string[];
}

export class KillSwitchError extends Error {
  readonly code = 'KILLSWITCH_FAILED';
}

/** RFC 1918 + link-local + multicast: what "allow LAN" opens (printers, NAS, mDNS/SSDP). */
const LAN4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '224.0.0.0/4'];
const LAN6 = ['fe80::/10', 'fc00::/7', 'ff00::/8'];
/** NDP and router discovery: must pass or IPv6 addresses and neighbours die; always hop limit 255. */
const NDP_OUT = 'nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert';
const NDP_IN = 'nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, nd-redirect';
/** MLD reports (link-scope, hop limit 1): switches with MLD snooping need them for NDP multicast. */
const MLD_OUT = 'mld-listener-report, mld-listener-done, mld2-listener-report';
const IFNAME = /^[A-Za-z0-9_.:-]{1,15}$/;
const CGROUP_PATH = /^[A-Za-z0-9_.@:/-]{1,255}$/;

function validate(o: KillSwitchOptions): void {
  if (!IFNAME.test(o.tunName)) throw new KillSwitchError(`bad tunnel interface name: ${o.tunName}`);
  for (const ep of o.endpoints) {
    if (isIP(ep.host) === 0) throw new KillSwitchError(`endpoint is not an IP literal: ${ep.host}`);
    if (!Number.isInteger(ep.port) || ep.port < 1 || ep.port > 65535)
      throw new KillSwitchError(`bad endpoint port: ${ep.port}`);
  }
  for (const r of o.ownerDns ?? [])
    if (isIP(r) === 0) throw new KillSwitchError(`resolver is not an IP literal: ${r}`);
  const w = o.owner;
  if (w?.kind === 'uid' && (!Number.isInteger(w.uid) || w.uid < 0))
    throw new KillSwitchError(`bad owner uid: ${w.uid}`);
  if (w?.kind === 'cgroupv2' && (!CGROUP_PATH.test(w.path) || w.path.includes('..') || !(w.level >= 1)))
    throw new KillSwitchError(`bad owner cgroup: ${w.path}`);
}

function ownerMatch(o: KillSwitchOptions): string {
  const w = o.owner ?? { kind: 'uid', uid: 0 };
  if (w.kind === 'uid') return ` meta skuid ${w.uid}`;
  if (w.kind === 'cgroupv2') return ` socket cgroupv2 level ${w.level} "${w.path}"`;
  return '';
}

const fam = (host: string) => (isIP(host) === 6 ? 'ip6' : 'ip');

/**
 * The complete ruleset text for `nft -f`: declare, delete, re-create the table in one transaction,
 * so the old rules are replaced atomically (never a moment with no table). Pure.
 */
export function renderKillSwitch(o: KillSwitchOptions): string {
  validate(o);
  const t = KILLSWITCH_TABLE;
  const tun = o.tunName;
  const owner = ownerMatch(o);
  const out: string[] = [];
  const inp: string[] = [];
  const fwd: string[] = [];

  out.push('oifname "lo" accept', `oifname "${tun}" accept`);
  inp.push('iifname "lo" accept', `iifname "${tun}" accept`);
  for (const ep of o.endpoints) {
    const f = fam(ep.host);
    out.push(`${f} daddr ${ep.host} udp dport ${ep.port}${owner} accept`);
    inp.push(`${f} saddr ${ep.host} udp sport ${ep.port} accept`);
  }
  for (const r of o.ownerDns ?? []) {
    const f = fam(r);
    out.push(`${f} daddr ${r} udp dport 53${owner} accept`, `${f} daddr ${r} tcp dport 53${owner} accept`);
  }
  // Replies to what the rules above let out (and ICMP errors about it, e.g. PMTU).
  inp.push('ct state established,related accept');
  out.push('udp sport 68 udp dport 67 accept', 'ip6 daddr ff02::1:2 udp sport 546 udp dport 547 accept');
  inp.push('udp sport 67 udp dport 68 accept', 'ip6 saddr fe80::/10 udp sport 547 udp dport 546 accept');
  out.push(`icmpv6 type { ${NDP_OUT} } ip6 hoplimit 255 accept`);
  out.push(`ip6 daddr ff02::/16 icmpv6 type { ${MLD_OUT} } ip6 hoplimit 1 accept`);
  inp.push(`icmpv6 type { ${NDP_IN} } ip6 hoplimit 255 accept`);
  fwd.push(`oifname "${tun}" accept`, `iifname "${tun}" ct state established,related accept`);
  if (o.allowLan) {
    out.push('ip daddr @lan4 accept', 'ip6 daddr @lan6 accept');
    inp.push('ip saddr @lan4 accept', 'ip6 saddr @lan6 accept');
  }
  // Locally generated packets are refused with an ICMP error (apps fail at once, not after a
  // timeout); everything is counted so status and tests can say how much was blocked.
  out.push('counter reject with icmpx type admin-prohibited');
  inp.push('counter drop');
  fwd.push('counter drop');

  const chain = (name: string, hook: string, rules: string[]) =>
    [
      `  chain ${name} {`,
      `    type filter hook ${hook} priority filter; policy drop;`,
      ...rules.map((r) => `    ${r}`),
      '  }',
    ].join('\n');
  const sets = o.allowLan
    ? [
        `  set lan4 { type ipv4_addr; flags interval; elements = { ${LAN4.join(', ')} } }`,
        `  set lan6 { type ipv6_addr; flags interval; elements = { ${LAN6.join(', ')} } }`,
      ]
    : [];
  return [
    `# ${MARKER}: generated, replaced as a whole (see app/helper/system/killswitch.ts)`,
    `table inet ${t}`,
    `delete table inet ${t}`,
    `table inet ${t} {`,
    `  comment "${MARKER}"`,
    ...sets,
    chain('output', 'output', out),
    chain('input', 'input', inp),
    chain('forward', 'forward', fwd),
    '}',
    '',
  ].join('\n');
}

/** Runs `nft ARGS` (in `ns` when given) with `stdin` as input; rejects with its stderr. */
function nft(args: readonly string[], ns: string | undefined, stdin = ''): Promise<string> {
  const [cmd, argv] = ns ? ['ip', ['netns', 'exec', ns, 'nft', ...args]] : ['nft', [...args]];
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(new KillSwitchError(`nft: ${e.message}`));
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new KillSwitchError(`nft ${args.join(' ')} failed (${code}): ${err.trim()}`));
    });
    p.stdin.end(stdin);
  });
}

/** Installs or atomically replaces the kill switch. Owner defaults to this process's euid. */
export async function applyKillSwitch(o: KillSwitchOptions): Promise<void> {
  const owner: KillSwitchOwner = o.owner ?? { kind: 'uid', uid: process.geteuid?.() ?? 0 };
  await nft(['-f', '-'], o.ns, renderKillSwitch({ ...o, owner }));
}

/** Deletes the table (idempotent: an absent table is fine). */
export async function removeKillSwitch(opts: { ns?: string } = {}): Promise<void> {
  await nft(['-f', '-'], opts.ns, `table inet ${KILLSWITCH_TABLE}\ndelete table inet ${KILLSWITCH_TABLE}\n`);
}

/** True when our table is installed (by us: it carries the marker comment). */
export async function killSwitchActive(opts: { ns?: string } = {}): Promise<boolean> {
  try {
    const text = await nft(['list', 'table', 'inet', KILLSWITCH_TABLE], opts.ns);
    return text.includes(MARKER);
  } catch {
    return false;
  }
}

/** Packets the kill switch refused so far, per chain (from its counters). */
export async function killSwitchBlocked(
  opts: { ns?: string } = {},
): Promise<{ output: number; input: number; forward: number } | null> {
  let json: string;
  try {
    json = await nft(['-j', 'list', 'table', 'inet', KILLSWITCH_TABLE], opts.ns);
  } catch {
    return null;
  }
  return parseBlocked(json);
}

/** Pure: the per-chain counter packets out of `nft -j list table` output. */
export function parseBlocked(json: string): { output: number; input: number; forward: number } {
  const r = { output: 0, input: 0, forward: 0 };
  const doc = JSON.parse(json) as { nftables?: Record<string, unknown>[] };
  for (const item of doc.nftables ?? []) {
    const rule = item.rule as { chain?: string; expr?: Record<string, unknown>[] } | undefined;
    if (!rule?.expr) continue;
    for (const e of rule.expr) {
      const c = e.counter as { packets?: number } | undefined;
      if (c && (rule.chain === 'output' || rule.chain === 'input' || rule.chain === 'forward'))
        r[rule.chain] += c.packets ?? 0;
    }
  }
  return r;
}

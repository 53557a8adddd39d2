// TOML text → validated Config. Collects every problem (not just the first) and throws one
// ConfigError listing them, each as `FILE: KEY: problem`.

import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { z } from 'zod';
import { type Cidr, cidrContains, cidrEquals, formatCidr, parseCidr } from '../../core/cidr.ts';
import {
  DEFAULT_REDUNDANT_COPIES,
  MAX_REDUNDANT_COPIES,
  MIN_REDUNDANT_COPIES,
} from '../../core/multipath/redundant.ts';
import { nodeId } from '../../core/types.ts';
import { ConfigError, describeValue, keyPath } from './errors.ts';
import { type RawConfig, RawConfigSchema } from './schema.ts';
import type { Config, ConfigIssue, MultipathMode, PeerConfig, SchedulerKind } from './types.ts';
import { checkGroupName, checkInterfaceName, parseHostPort } from './validators.ts';

export const DEFAULT_TUNNEL_NAME = 'quicether0';
/** 1500-byte Ethernet minus IPv6 (40) + UDP (8) + QUIC short header/AEAD/DATAGRAM (~30) + encap (10). */
export const DEFAULT_MTU = 1420;
/** IPv4's minimum reassembly size; below it some hosts cannot talk at all. */
export const MIN_MTU_V4 = 576;
/** IPv6 requires every link to carry 1280 bytes (RFC 8200 §5). */
export const MIN_MTU_V6 = 1280;
/** Jumbo frames; beyond this no underlying network will carry the datagrams. */
export const MAX_MTU = 9000;
export const DEFAULT_CONTROL_SOCKET = '/run/quicether/helper.sock';
export const DEFAULT_IDENTITY_DIR = '/var/lib/quicether';
/** ITU-T G.114's 150 ms one-way budget for conversational voice, applied to RTT as a ceiling. */
export const DEFAULT_INTERACTIVE_MAX_RTT_MS = 150;
/** 0 = bulk traffic may use every path, however slow. */
export const DEFAULT_BULK_MIN_BANDWIDTH_MBPS = 0;

/** Scheduler used when the file does not name one (seed §8.8.2: "defaults to weighted"). */
export function defaultScheduler(mode: MultipathMode): SchedulerKind {
  if (mode === 'aggregate') return 'weighted';
  if (mode === 'failover') return 'latency';
  return 'round-robin';
}

export interface ParseOptions {
  /** Directory relative key/cert/identity paths resolve against; default: the file's directory. */
  baseDir?: string;
}

/** Parses and validates config text. Throws ConfigError (never anything else). */
export function parseConfig(text: string, fileName: string, opts: ParseOptions = {}): Config {
  let doc: unknown;
  try {
    doc = parseToml(text);
  } catch (e) {
    if (e instanceof TomlError) {
      const firstLine = e.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
      throw new ConfigError(fileName, [
        { key: `line ${e.line}, column ${e.column}`, message: `TOML syntax: ${firstLine}` },
      ]);
    }
    throw new ConfigError(fileName, [{ key: '', message: `cannot parse: ${String(e)}` }]);
  }
  const reserved = reservedKeys(doc, []);
  if (reserved.length > 0) throw new ConfigError(fileName, reserved);
  const r = RawConfigSchema.safeParse(doc, { reportInput: true });
  if (!r.success) throw new ConfigError(fileName, zodIssues(r.error.issues));
  const issues: ConfigIssue[] = [];
  const config = normalise(r.data, fileName, opts.baseDir ?? dirname(resolve(fileName)), issues);
  if (issues.length > 0) throw new ConfigError(fileName, issues);
  return config;
}

/**
 * Keys named __proto__ are reported up front: plain-object validation would silently drop them
 * (assigning `__proto__` sets a prototype instead of a key), and a silent drop hides a mistake.
 */
function reservedKeys(v: unknown, path: PropertyKey[]): ConfigIssue[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => reservedKeys(x, [...path, i]));
  if (typeof v !== 'object' || v === null || v instanceof Date) return [];
  const out: ConfigIssue[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (k === '__proto__')
      out.push({ key: keyPath([...path, k]), message: 'the key name "__proto__" is not supported' });
    else out.push(...reservedKeys(x, [...path, k]));
  }
  return out;
}

function zodIssues(zissues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const i of zissues) {
    const input = (i as { input?: unknown }).input;
    switch (i.code) {
      case 'unrecognized_keys':
        for (const k of i.keys) out.push({ key: keyPath([...i.path, k]), message: 'unknown key' });
        break;
      case 'invalid_type':
        out.push({
          key: keyPath(i.path),
          message:
            input === undefined && !('received' in i)
              ? `is required (${article(i.expected)})`
              : `expected ${article(i.expected)}, got ${'received' in i ? String(i.received) : describeValue(input)}`,
        });
        break;
      case 'invalid_value':
        out.push({
          key: keyPath(i.path),
          message: `must be one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}; got ${describeValue(input)}`,
        });
        break;
      default:
        out.push({ key: keyPath(i.path), message: i.message });
    }
  }
  return out;
}

function article(expected: string): string {
  const names: Record<string, string> = {
    int: 'an integer',
    number: 'a number',
    string: 'a string',
    boolean: 'a boolean (true/false)',
    array: 'an array',
    object: 'a table',
    record: 'a table',
  };
  return names[expected] ?? expected;
}

function normalise(raw: RawConfig, source: string, baseDir: string, issues: ConfigIssue[]): Config {
  const add = (key: string, message: string): void => void issues.push({ key, message });
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));

  // [node]
  const n = raw.node ?? {};
  const node: Config['node'] = { identityDir: abs(n.identity_dir ?? DEFAULT_IDENTITY_DIR) };
  for (const k of ['key_file', 'cert_file', 'identity_dir'] as const) {
    if (n[k] === '') add(`node.${k}`, 'must not be empty');
  }
  if (n.key_file !== undefined && n.cert_file === undefined)
    add('node.cert_file', 'is required when node.key_file is set');
  if (n.cert_file !== undefined && n.key_file === undefined)
    add('node.key_file', 'is required when node.cert_file is set');
  if (n.key_file !== undefined && n.identity_dir !== undefined) {
    add('node.identity_dir', 'give either node.identity_dir or node.key_file + node.cert_file, not both');
  }
  if (n.key_file) node.keyFile = abs(n.key_file);
  if (n.cert_file) node.certFile = abs(n.cert_file);
  if (n.listen !== undefined) {
    const hp = parseHostPort(n.listen, true);
    if (typeof hp === 'string') add('node.listen', hp);
    else node.listen = hp;
  }

  // [tunnel]
  const t = raw.tunnel ?? {};
  const tunnel: Config['tunnel'] = {
    name: t.name ?? DEFAULT_TUNNEL_NAME,
    mtu: t.mtu ?? DEFAULT_MTU,
    offload: t.offload ?? true,
    headerCompression: t.header_compression ?? true,
  };
  const nameProblem = checkInterfaceName(tunnel.name);
  if (nameProblem) add('tunnel.name', nameProblem);
  if (t.address !== undefined) {
    const a = parseCidr(t.address, { allowHostBits: true, allowBareAddress: false });
    if (!a.ok) add('tunnel.address', a.error);
    else tunnel.address = a.value;
  }
  const minMtu = tunnel.address?.family === 6 ? MIN_MTU_V6 : MIN_MTU_V4;
  if (tunnel.mtu < minMtu || tunnel.mtu > MAX_MTU) {
    add(
      'tunnel.mtu',
      `${tunnel.mtu} is outside ${minMtu}-${MAX_MTU}${minMtu === MIN_MTU_V6 ? ' (IPv6 address needs >= 1280)' : ''}`,
    );
  }

  // [[peers]]
  const peers: PeerConfig[] = [];
  const seenIds = new Map<string, number>();
  const routed: Array<{ cidr: Cidr; peer: number }> = [];
  (raw.peers ?? []).forEach((p, i) => {
    const at = `peers[${i}]`;
    if (!/^\S+$/.test(p.node_id)) add(`${at}.node_id`, 'must be a non-empty string without spaces');
    const dup = seenIds.get(p.node_id);
    if (dup !== undefined) add(`${at}.node_id`, `duplicate of peers[${dup}].node_id`);
    else seenIds.set(p.node_id, i);
    const peer: PeerConfig = { nodeId: nodeId(p.node_id), allowedIps: [] };
    if (p.endpoint !== undefined) {
      const hp = parseHostPort(p.endpoint, false);
      if (typeof hp === 'string') add(`${at}.endpoint`, hp);
      else peer.endpoint = hp;
    }
    (p.allowed_ips ?? []).forEach((text, j) => {
      const c = parseCidr(text, { allowBareAddress: false });
      if (!c.ok) {
        add(`${at}.allowed_ips[${j}]`, c.error);
        return;
      }
      const clash = routed.find((r) => cidrEquals(r.cidr, c.value));
      if (clash) {
        const where = clash.peer === i ? 'earlier in this list' : `in peers[${clash.peer}]`;
        add(`${at}.allowed_ips[${j}]`, `${formatCidr(c.value)} is already listed ${where}`);
        return;
      }
      routed.push({ cidr: c.value, peer: i });
      peer.allowedIps.push(c.value);
    });
    peers.push(peer);
  });

  // [multipath]
  const m = raw.multipath ?? {};
  let mode: MultipathMode = m.mode ?? (m.enabled === false ? 'disable' : 'aggregate');
  if (m.enabled === false && m.mode !== undefined && m.mode !== 'disable') {
    add(
      'multipath.mode',
      `is "${m.mode}" but multipath.enabled = false (use mode = "disable" or remove one)`,
    );
    mode = 'disable';
  }
  if (m.enabled === true && m.mode === 'disable') {
    add('multipath.enabled', 'is true but multipath.mode = "disable" (remove one)');
  }
  const interfaces = m.interfaces ?? [];
  const seenIf = new Set<string>();
  interfaces.forEach((name, i) => {
    const problem = checkInterfaceName(name);
    if (problem) add(`multipath.interfaces[${i}]`, problem);
    else if (seenIf.has(name)) add(`multipath.interfaces[${i}]`, `"${name}" is listed twice`);
    seenIf.add(name);
  });
  const weights: Record<string, number> = {};
  for (const [name, w] of Object.entries(m.weights ?? {})) {
    const key = keyPath(['multipath', 'weights', name]);
    const problem = checkInterfaceName(name);
    if (problem) add(key, problem);
    else if (interfaces.length > 0 && !seenIf.has(name)) add(key, `"${name}" is not in multipath.interfaces`);
    else if (!(w > 0)) add(key, `weight must be greater than 0, got ${w}`);
    else weights[name] = w;
  }
  const pol = m.policies ?? {};
  const interactiveMaxRttMs = pol.interactive_max_rtt_ms ?? DEFAULT_INTERACTIVE_MAX_RTT_MS;
  const bulkMinBandwidthMbps = pol.bulk_min_bandwidth_mbps ?? DEFAULT_BULK_MIN_BANDWIDTH_MBPS;
  if (!(interactiveMaxRttMs > 0))
    add('multipath.policies.interactive_max_rtt_ms', `must be greater than 0, got ${interactiveMaxRttMs}`);
  if (!(bulkMinBandwidthMbps >= 0))
    add('multipath.policies.bulk_min_bandwidth_mbps', `must be 0 or more, got ${bulkMinBandwidthMbps}`);
  const redundantCopies = pol.redundant_copies ?? DEFAULT_REDUNDANT_COPIES;
  if (
    !Number.isInteger(redundantCopies) ||
    redundantCopies < MIN_REDUNDANT_COPIES ||
    redundantCopies > MAX_REDUNDANT_COPIES
  )
    add(
      'multipath.policies.redundant_copies',
      `must be a whole number from ${MIN_REDUNDANT_COPIES} to ${MAX_REDUNDANT_COPIES}, got ${redundantCopies}`,
    );

  // [control]
  const c = raw.control ?? {};
  const control: Config['control'] = { socket: c.socket ?? DEFAULT_CONTROL_SOCKET };
  if (!isAbsolute(control.socket)) add('control.socket', `must be an absolute path, got "${control.socket}"`);
  if (c.metrics !== undefined) {
    const hp = parseHostPort(c.metrics, true);
    if (typeof hp === 'string') add('control.metrics', hp);
    else if (!/^127\./.test(hp.host) && hp.host !== '::1')
      add('control.metrics', `must be a loopback address (127.0.0.1:9469), got "${c.metrics}"`);
    else control.metrics = hp;
  }
  if (c.group !== undefined) {
    const problem = checkGroupName(c.group);
    if (problem) add('control.group', problem);
    else control.group = c.group;
  }

  // [killswitch], [dns]
  const ks = raw.killswitch ?? {};
  const killswitch: Config['killswitch'] = { enabled: ks.enabled ?? false, allowLan: ks.allow_lan ?? false };
  const d = raw.dns ?? {};
  const dns: Config['dns'] = { servers: [], search: d.search ?? [] };
  if ((d.servers ?? []).length > 3) add('dns.servers', 'at most 3 resolvers (the resolv.conf limit)');
  for (const [i, sv] of (d.servers ?? []).entries()) {
    const ip = parseCidr(`${sv}/32`);
    if (!ip.ok) {
      add(`dns.servers[${i}]`, `not an IPv4 address: "${sv}"`);
      continue;
    }
    // A resolver outside the tunnel's routes would leak queries (or be blocked by the kill switch).
    if (!peers.some((p) => p.allowedIps.some((a) => cidrContains(a, ip.value)))) {
      add(
        `dns.servers[${i}]`,
        `${sv} is not inside any peer's allowed_ips, so queries would not go through the tunnel`,
      );
      continue;
    }
    dns.servers.push(sv);
  }
  (d.search ?? []).forEach((dom, i) => {
    if (!/^[A-Za-z0-9.-]{1,253}$/.test(dom)) add(`dns.search[${i}]`, `not a domain name: "${dom}"`);
  });

  return {
    source,
    node,
    killswitch,
    dns,
    tunnel,
    peers,
    multipath: {
      enabled: mode !== 'disable',
      mode,
      interfaces,
      weights,
      policies: { interactiveMaxRttMs, bulkMinBandwidthMbps, redundantCopies },
      scheduler: m.scheduler ?? defaultScheduler(mode),
      schedulerExplicit: m.scheduler !== undefined,
    },
    control,
  };
}

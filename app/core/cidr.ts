// IP address and prefix parsing/formatting (cold path: config, CLI, routes). Strict and
// explicit: dotted-quad IPv4 without leading zeros (no octal ambiguity), RFC 4291 IPv6 text
// (with `::` and an optional dotted-quad tail), no zone IDs. Never throws; errors say what is wrong.
//
// IPv4 addresses are unsigned 32-bit integers; IPv6 addresses are 16-byte arrays (network order).

import type { Decoded } from './types.ts';

export type Cidr =
  | { family: 4; addr: number; prefixLen: number }
  | { family: 6; addr: Uint8Array; prefixLen: number };
export type IpAddress = { family: 4; addr: number } | { family: 6; addr: Uint8Array };

const err = (error: string): { ok: false; error: string } => ({ ok: false, error });

export function parseIpv4(s: string): Decoded<number> {
  const parts = s.split('.');
  if (parts.length !== 4) return err(`"${s}" is not an IPv4 address (expected four dot-separated numbers)`);
  let n = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part))
      return err(`"${s}" is not an IPv4 address ("${part}" is not a number 0-255)`);
    if (part.length > 1 && part[0] === '0')
      return err(`"${s}": leading zero in "${part}" is ambiguous (octal?)`);
    const v = Number(part);
    if (v > 255) return err(`"${s}": ${v} is larger than 255`);
    n = n * 256 + v;
  }
  return { ok: true, value: n };
}

export function parseIpv6(s: string): Decoded<Uint8Array> {
  const bad = (why: string) => err(`"${s}" is not an IPv6 address (${why})`);
  if (s.includes('%')) return bad('zone IDs are not supported');
  const halves = s.split('::');
  if (halves.length > 2) return bad('"::" appears more than once');
  const groups: number[][] = [];
  for (let h = 0; h < halves.length; h++) {
    const half = halves[h]!;
    const out: number[] = [];
    if (half !== '') {
      const parts = half.split(':');
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i]!;
        const isLastOfAll = h === halves.length - 1 && i === parts.length - 1;
        if (isLastOfAll && part.includes('.')) {
          const v4 = parseIpv4(part);
          if (!v4.ok) return bad(`bad IPv4 tail: ${v4.error}`);
          out.push(v4.value >>> 16, v4.value & 0xffff);
        } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
          out.push(parseInt(part, 16));
        } else {
          return bad(part === '' ? 'empty group' : `bad group "${part}"`);
        }
      }
    }
    groups.push(out);
  }
  const head = groups[0]!;
  const tail = groups[1] ?? [];
  const explicit = head.length + tail.length;
  if (halves.length === 1 && explicit !== 8) return bad(`expected 8 groups, got ${explicit}`);
  if (halves.length === 2 && explicit > 7) return bad('too many groups for "::"');
  const words = [...head, ...new Array<number>(8 - explicit).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >>> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return { ok: true, value: bytes };
}

export function parseIp(s: string): Decoded<IpAddress> {
  if (s.includes(':')) {
    const r = parseIpv6(s);
    return r.ok ? { ok: true, value: { family: 6, addr: r.value } } : r;
  }
  const r = parseIpv4(s);
  return r.ok ? { ok: true, value: { family: 4, addr: r.value } } : r;
}

export interface ParseCidrOptions {
  /**
   * Keep host bits set (an interface address such as 198.19.0.2/24). By default a prefix with host
   * bits set is an error, because it almost always is a typo for the network.
   */
  allowHostBits?: boolean;
  /** Accept a bare address as a host prefix (/32 or /128). Default true. */
  allowBareAddress?: boolean;
}

export function maskV4(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

/** Parses "198.19.0.0/16", "fd00::/8", or (unless disabled) a bare address. Never throws. */
export function parseCidr(s: string, opts: ParseCidrOptions = {}): Decoded<Cidr> {
  if (typeof s !== 'string') return err('prefix must be a string');
  const trimmed = s.trim();
  if (trimmed === '') return err('empty prefix');
  const slash = trimmed.indexOf('/');
  const addrText = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const ip = parseIp(addrText);
  if (!ip.ok) return ip;
  const maxLen = ip.value.family === 4 ? 32 : 128;
  let prefixLen = maxLen;
  if (slash < 0) {
    if (opts.allowBareAddress === false)
      return err(`"${s}" has no prefix length (expected e.g. ${addrText}/${maxLen})`);
  } else {
    const lenText = trimmed.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > maxLen) {
      return err(`"${s}": prefix length "${lenText}" must be a number 0-${maxLen}`);
    }
    prefixLen = Number(lenText);
  }
  const cidr: Cidr =
    ip.value.family === 4
      ? { family: 4, addr: ip.value.addr, prefixLen }
      : { family: 6, addr: ip.value.addr, prefixLen };
  if (!opts.allowHostBits) {
    const net = networkOf(cidr);
    if (!cidrEquals(net, cidr)) return err(`"${s}" has host bits set (did you mean ${formatCidr(net)}?)`);
  }
  return { ok: true, value: cidr };
}

/** The prefix with host bits cleared. */
export function networkOf(c: Cidr): Cidr {
  if (c.family === 4)
    return { family: 4, addr: (c.addr & maskV4(c.prefixLen)) >>> 0, prefixLen: c.prefixLen };
  const addr = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, c.prefixLen - 8 * i));
    addr[i] = c.addr[i]! & ((0xff00 >> bits) & 0xff);
  }
  return { family: 6, addr, prefixLen: c.prefixLen };
}

export function cidrEquals(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family || a.prefixLen !== b.prefixLen) return false;
  if (a.family === 4) return a.addr === b.addr;
  for (let i = 0; i < 16; i++) if (a.addr[i] !== (b.addr as Uint8Array)[i]) return false;
  return true;
}

export function formatIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

/** RFC 5952 text: lowercase, longest run of two or more zero groups compressed to "::". */
export function formatIpv6(b: Uint8Array): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push(((b[2 * i] ?? 0) << 8) | (b[2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(w);
  return `${hex(w.slice(0, bestStart))}::${hex(w.slice(bestStart + bestLen))}`;
}

export function formatIp(a: IpAddress): string {
  return a.family === 4 ? formatIpv4(a.addr) : formatIpv6(a.addr);
}

export function formatCidr(c: Cidr): string {
  return `${c.family === 4 ? formatIpv4(c.addr) : formatIpv6(c.addr)}/${c.prefixLen}`;
}

/** True if `inner` lies entirely inside `outer` (same family, longer-or-equal prefix). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefixLen < outer.prefixLen) return false;
  const narrowed = networkOf(
    inner.family === 4
      ? { family: 4, addr: inner.addr, prefixLen: outer.prefixLen }
      : { family: 6, addr: inner.addr, prefixLen: outer.prefixLen },
  );
  return cidrEquals(narrowed, networkOf(outer));
}

// Small value checks shared by the file parser and the CLI overrides. Each returns an error
// message (string) or the parsed value; none throws.

import { parseIp } from '../../core/cidr.ts';
import type { HostPort } from './types.ts';

/** Linux interface names: 1-15 bytes (IFNAMSIZ - 1), no '/', ':', whitespace or quotes. */
const IFNAME = /^[A-Za-z0-9_.@-]{1,15}$/;

export function checkInterfaceName(name: string): string | undefined {
  if (name === '') return 'interface name is empty';
  if (name === '.' || name === '..') return `"${name}" is not a valid interface name`;
  if (!IFNAME.test(name)) {
    return name.length > 15
      ? `interface name "${name}" is longer than 15 characters`
      : `"${name}" is not a valid interface name (letters, digits, "_", ".", "@", "-")`;
  }
  return undefined;
}

/** RFC 1123 host name (labels of letters, digits, '-'). */
const HOSTNAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * Parses "host:port" / "[v6]:port". `ipOnly` refuses DNS names (a listen address must be local).
 */
export function parseHostPort(text: string, ipOnly: boolean): HostPort | string {
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') return `"${text}" is not "[IPv6]:port"`;
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    const ip = parseIp(host);
    if (!ip.ok || ip.value.family !== 6) return `"${host}" is not an IPv6 address`;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) return `"${text}" has no port (expected "host:port")`;
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(':'))
      return `"${text}": write IPv6 addresses in brackets, e.g. "[${host}]:${portText}"`;
    if (host === '') return `"${text}" has no host (expected "host:port")`;
    const looksNumeric = /^[\d.]+$/.test(host);
    if (looksNumeric || ipOnly) {
      const ip = parseIp(host);
      if (!ip.ok) return ipOnly && !looksNumeric ? `"${host}" is not an IP address` : ip.error;
    } else if (!HOSTNAME.test(host)) {
      return `"${host}" is not a valid host name`;
    }
  }
  if (!/^\d{1,5}$/.test(portText)) return `port "${portText}" is not a number 1-65535`;
  const port = Number(portText);
  if (port < 1 || port > 65535) return `port ${port} is outside 1-65535`;
  return { host, port };
}

/** POSIX portable group name. */
export function checkGroupName(name: string): string | undefined {
  return /^[A-Za-z_][A-Za-z0-9_-]{0,31}\$?$/.test(name) ? undefined : `"${name}" is not a valid group name`;
}

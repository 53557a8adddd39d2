// Who may load the dashboard and open its WebSocket. Pure functions over header values.
//
// - Token: a random per-run secret, given once in the URL the user opens (?token=…). The first
//   page load turns it into an HttpOnly, SameSite=Strict cookie so reloads keep working after
//   the page strips it from the address bar. Compared in constant time.
// - Host: must be our own loopback name and port. A DNS-rebinding page (evil.example resolving
//   to 127.0.0.1) sends `Host: evil.example:port` and is refused before anything else.
// - Origin: browsers send it on WebSocket upgrades and cross-origin requests; when present it
//   must be our own origin. Another local site (another port = another origin) cannot drive us.
import { timingSafeEqual } from 'node:crypto';

export const COOKIE_NAME = 'quicether_token';

/** Host header values we answer to, for a server listening on 127.0.0.1:port. */
export function allowedHosts(port: number): ReadonlySet<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export function allowedOrigins(port: number): ReadonlySet<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
}

export function hostAllowed(host: string | undefined, port: number): boolean {
  return typeof host === 'string' && allowedHosts(port).has(host.toLowerCase());
}

/** `required`: WebSocket upgrades must carry an Origin (every browser sends one). */
export function originAllowed(origin: string | undefined, port: number, required: boolean): boolean {
  if (origin === undefined) return !required;
  return allowedOrigins(port).has(origin.toLowerCase());
}

export function tokenEquals(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export type Verdict = { ok: true; setCookie: boolean } | { ok: false; status: 403; reason: string };

export interface RequestFacts {
  readonly host: string | undefined;
  readonly origin: string | undefined;
  readonly cookie: string | undefined;
  /** Token from the URL query, if any. */
  readonly queryToken: string | null;
  readonly isWebSocket: boolean;
}

/** One decision for every request: Host, then Origin, then token (query or cookie). */
export function checkRequest(r: RequestFacts, port: number, token: string): Verdict {
  if (!hostAllowed(r.host, port)) return { ok: false, status: 403, reason: 'unexpected Host header' };
  if (!originAllowed(r.origin, port, r.isWebSocket))
    return { ok: false, status: 403, reason: 'cross-origin request' };
  if (tokenEquals(r.queryToken, token)) return { ok: true, setCookie: !r.isWebSocket };
  if (tokenEquals(cookieValue(r.cookie, COOKIE_NAME), token)) return { ok: true, setCookie: false };
  return { ok: false, status: 403, reason: 'missing or wrong token' };
}

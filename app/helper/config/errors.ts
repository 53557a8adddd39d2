// ConfigError: every problem found in a config file, one readable line each:
//   /etc/quicether/helper.toml: multipath.weights.eth0: expected a number, got a string ("fast")

import type { ConfigIssue } from './types.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly file: string;
  readonly issues: readonly ConfigIssue[];

  constructor(file: string, issues: readonly ConfigIssue[]) {
    super(issues.map((i) => formatIssue(file, i)).join('\n'));
    this.file = file;
    this.issues = issues;
  }
}

export function formatIssue(file: string, issue: ConfigIssue): string {
  return issue.key === '' ? `${file}: ${issue.message}` : `${file}: ${issue.key}: ${issue.message}`;
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** TOML-style key path: `a.b."c.d"[2].e`. */
export function keyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = String(seg);
      const part = BARE_KEY.test(s) ? s : JSON.stringify(s);
      out += out === '' ? part : `.${part}`;
    }
  }
  return out;
}

/** Short human description of a TOML value, for "expected X, got Y". */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)})`;
  if (typeof v === 'number') return Number.isFinite(v) ? `a number (${v})` : `${v}`;
  if (typeof v === 'boolean') return `a boolean (${v})`;
  if (typeof v === 'bigint') return `an integer (${v})`;
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a date';
  if (typeof v === 'object' && v !== null) return 'a table';
  return typeof v;
}

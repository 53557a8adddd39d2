// Who may do what, decided on every request from the caller's OS identity (SECURITY S1):
// root and members of the admin group may change state; anyone else who could open the socket
// is read-only; an unknown identity is read-only.
//
// Membership is read from /etc/group (the admin group's member list and gid) and /etc/passwd
// (the caller's user name and primary gid). SO_PEERCRED carries no supplementary groups, so a
// member must be listed in /etc/group or have the admin group as primary group. Both files are
// re-read when their mtime changes, so removing a user from the group takes effect on the next
// request.
import { readFileSync, statSync } from 'node:fs';
import type { Role } from '../../protocol/schema.ts';
import type { PeerCredentials } from './peer-credentials.ts';

export interface GroupEntry {
  gid: number;
  members: string[];
}

export interface AccountDb {
  group(name: string): GroupEntry | null;
  /** User name and primary gid of a uid. */
  user(uid: number): { name: string; gid: number } | null;
}

export function roleFor(creds: PeerCredentials | null, adminGroup: string, db: AccountDb): Role {
  if (creds === null) return 'read-only';
  if (creds.uid === 0) return 'admin';
  const group = db.group(adminGroup);
  if (group === null) return 'read-only';
  if (creds.gid === group.gid) return 'admin';
  const user = db.user(creds.uid);
  if (user === null) return 'read-only';
  if (user.gid === group.gid || group.members.includes(user.name)) return 'admin';
  return 'read-only';
}

/** A numeric id field; an empty field must never read as 0 (root). */
const isId = (v: string | undefined): v is string => v !== undefined && /^\d{1,10}$/.test(v);

/** Parses /etc/group text: "name:x:gid:member1,member2". */
export function parseGroupFile(text: string): Map<string, GroupEntry> {
  const out = new Map<string, GroupEntry>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 4 || !f[0] || !isId(f[2])) continue;
    const gid = Number(f[2]);
    out.set(f[0], { gid, members: (f[3] ?? '').split(',').filter((m) => m !== '') });
  }
  return out;
}

/** Parses /etc/passwd text: "name:x:uid:gid:...". */
export function parsePasswdFile(text: string): Map<number, { name: string; gid: number }> {
  const out = new Map<number, { name: string; gid: number }>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 4 || !f[0] || !isId(f[2]) || !isId(f[3])) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (!out.has(uid)) out.set(uid, { name: f[0], gid });
  }
  return out;
}

/** AccountDb over /etc/group and /etc/passwd (paths overridable for tests), cached by mtime. */
export function fileAccountDb(
  paths: { group: string; passwd: string } = { group: '/etc/group', passwd: '/etc/passwd' },
): AccountDb {
  const groups = cachedByMtime(paths.group, parseGroupFile);
  const users = cachedByMtime(paths.passwd, parsePasswdFile);
  return {
    group: (name) => groups()?.get(name) ?? null,
    user: (uid) => users()?.get(uid) ?? null,
  };
}

function cachedByMtime<T>(path: string, parse: (text: string) => T): () => T | null {
  let mtime = -1;
  let value: T | null = null;
  return () => {
    try {
      const m = statSync(path).mtimeMs;
      if (m !== mtime) {
        value = parse(readFileSync(path, 'utf8'));
        mtime = m;
      }
      return value;
    } catch {
      return null; // unreadable → no admins but root
    }
  };
}

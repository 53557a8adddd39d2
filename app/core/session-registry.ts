// Which session a new path joins (ARCHITECTURE decision 3). The first path's control stream
// creates a session and gets a random token; a later path presents the token in its hello and is
// bound to that session only if the connection's authenticated NodeId is the session's NodeId.
// A token alone is never enough: a stolen token used by another node is refused.
//
// Pure: the caller supplies random token bytes and the clock.
import type { Millis, NodeId, PathId } from './types.ts';
import { pathId } from './types.ts';

export const TOKEN_LEN = 16;
/** A session with no path for this long is forgotten (the peer reconnects with a fresh hello). */
export const SESSION_EMPTY_TTL_MS = 120_000;
/** Paths per session: WiFi + LTE + Ethernet and a few spares while a roaming path re-establishes. */
export const MAX_PATHS_PER_SESSION = 8;

export interface SessionEntry {
  token: string; // hex
  nodeId: NodeId;
  paths: Set<PathId>;
  nextPathId: number;
  emptySince: Millis | null;
}

export type JoinResult =
  | { ok: true; session: SessionEntry; pathId: PathId; created: boolean }
  | { ok: false; reason: 'unknown-token' | 'node-mismatch' | 'too-many-paths' };

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export class SessionRegistry {
  private readonly byToken = new Map<string, SessionEntry>();

  /**
   * Binds a new authenticated path. `token` is what the hello carried (empty = new session);
   * `freshToken` is TOKEN_LEN random bytes the caller drew, used only when a session is created.
   */
  join(nodeId: NodeId, token: Uint8Array | undefined, freshToken: Uint8Array, now: Millis): JoinResult {
    let s: SessionEntry | undefined;
    let created = false;
    if (token && token.length > 0) {
      s = this.byToken.get(hex(token));
      if (!s) return { ok: false, reason: 'unknown-token' };
      if (s.nodeId !== nodeId) return { ok: false, reason: 'node-mismatch' };
    } else {
      // A node that starts over (helper restarted) replaces its old session.
      for (const [k, v] of this.byToken) if (v.nodeId === nodeId) this.byToken.delete(k);
      s = { token: hex(freshToken), nodeId, paths: new Set(), nextPathId: 0, emptySince: now };
      this.byToken.set(s.token, s);
      created = true;
    }
    if (s.paths.size >= MAX_PATHS_PER_SESSION) return { ok: false, reason: 'too-many-paths' };
    const id = pathId(s.nextPathId++);
    s.paths.add(id);
    s.emptySince = null;
    return { ok: true, session: s, pathId: id, created };
  }

  leave(token: string, id: PathId, now: Millis): void {
    const s = this.byToken.get(token);
    if (!s) return;
    s.paths.delete(id);
    if (s.paths.size === 0) s.emptySince = now;
  }

  /** Forgets sessions empty for longer than SESSION_EMPTY_TTL_MS; returns their tokens. */
  expire(now: Millis): string[] {
    const gone: string[] = [];
    for (const [k, s] of this.byToken) {
      if (s.emptySince !== null && now - s.emptySince >= SESSION_EMPTY_TTL_MS) {
        this.byToken.delete(k);
        gone.push(k);
      }
    }
    return gone;
  }

  get size(): number {
    return this.byToken.size;
  }
}

// Session (tunnel) state machine of one peer session (seed §8.3, §8.6.2; STYLE rules 6 and 9).
// The target (what the user asked: connected or disconnected) is kept apart from the actual
// state; the machine walks the actual state toward the target and says so through events.
//
//                    requestConnect                       handleConnected /
//   ┌──────────────┐ ─────────────► ┌────────────┐        handleUsablePaths(n>0)  ┌───────────┐
//   │ DISCONNECTED │                │ CONNECTING │ ─────────────────────────────► │ CONNECTED │
//   └──────────────┘ ◄──────┐       └────────────┘                                └───────────┘
//          ▲                │          │ attempts exhausted     handleUsablePaths(0)    │   ▲
//          │ handleClosed / │          ▼                                              ▼   │ n>0
//          │ close timeout  │       ┌───────┐  attempts exhausted (unreachable) ┌──────────┐
//   ┌───────────────┐       │       │ ERROR │ ◄──────────────────────────────── │ DEGRADED │
//   │ DISCONNECTING │ ◄─────┼────── └───────┘     n>0 while unreachable ──────► │ (backoff │
//   └───────────────┘  requestDisconnect from any state with something open     │ retries) │
//                                                                               └──────────┘
// CONNECTING and DEGRADED emit `connect` attempts paced by exponential backoff (1 s doubling to
// 30 s: attempt k+1 starts retryDelayMs(k) after attempt k; DEGRADED waits 1 s before its first,
// since the path manager is already re-probing), at most MAX_ATTEMPTS times, then go to ERROR 'unreachable'. The path manager keeps re-probing failed
// paths on its own backoff, so a path that comes back (handleUsablePaths(n > 0)) recovers the
// session even from ERROR 'unreachable'. Other errors (e.g. 'auth') wait for the user.

import type { Millis } from '../types.ts';

export type SessionTarget = 'connected' | 'disconnected';

export type SessionErrorCode = 'unreachable' | 'auth' | 'protocol' | 'internal';

export type SessionState =
  | { readonly kind: 'disconnected' }
  | {
      readonly kind: 'connecting';
      readonly since: Millis;
      readonly attempt: number;
      readonly retryAt: Millis;
    }
  | { readonly kind: 'connected'; readonly since: Millis }
  | { readonly kind: 'degraded'; readonly since: Millis; readonly attempt: number; readonly retryAt: Millis }
  | { readonly kind: 'disconnecting'; readonly since: Millis; readonly deadline: Millis }
  | {
      readonly kind: 'error';
      readonly since: Millis;
      readonly code: SessionErrorCode;
      readonly message: string;
    };

export type SessionStateKind = SessionState['kind'];

export type SessionEvent =
  | {
      readonly type: 'state-changed';
      readonly from: SessionStateKind;
      readonly state: SessionState;
      readonly at: Millis;
    }
  /** Start (re)establishing the session's path connections; attempt counts from 1. */
  | { readonly type: 'connect'; readonly attempt: number; readonly at: Millis }
  /** Close every path connection of the session, then call handleClosed. */
  | { readonly type: 'close'; readonly at: Millis };

/** First retry delay: a blip (roaming between access points) is retried almost at once. */
export const RETRY_INITIAL_MS = 1000;
/** Retry delay cap: a dead uplink costs two attempts a minute, and recovery is seen within 30 s. */
export const RETRY_MAX_MS = 30_000;
/** Attempts before ERROR: 1+1+2+4+8+16+30+30 s ≈ 1.5 min of trying, then wait for paths or the user. */
export const MAX_ATTEMPTS = 9;
/** Close grace: quiche's CONNECTION_CLOSE needs one round trip; past 3 s the peer is gone anyway. */
export const CLOSE_TIMEOUT_MS = 3000;

export function retryDelayMs(attempt: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** Math.max(0, attempt - 1));
}

export class SessionMachine {
  private st: SessionState = { kind: 'disconnected' };
  private tgt: SessionTarget = 'disconnected';
  private readonly events: SessionEvent[] = [];

  get state(): SessionState {
    return this.st;
  }

  get target(): SessionTarget {
    return this.tgt;
  }

  requestConnect(now: Millis): void {
    this.tgt = 'connected';
    const k = this.st.kind;
    if (k === 'disconnected' || k === 'error') this.startAttempt(1, now);
  }

  requestDisconnect(now: Millis): void {
    this.tgt = 'disconnected';
    const k = this.st.kind;
    if (k === 'disconnected' || k === 'disconnecting') return;
    if (k === 'error') {
      this.go({ kind: 'disconnected' }, now);
      return;
    }
    this.go({ kind: 'disconnecting', since: now, deadline: (now + CLOSE_TIMEOUT_MS) as Millis }, now);
    this.events.push({ type: 'close', at: now });
  }

  /** The first path's handshake completed: the session exists. */
  handleConnected(now: Millis): void {
    const k = this.st.kind;
    if (k === 'connecting' || k === 'degraded' || (k === 'error' && this.st.code === 'unreachable')) {
      this.go({ kind: 'connected', since: now }, now);
    }
  }

  /** Usable (Active or Standby) path count, from the path manager after each change. */
  handleUsablePaths(count: number, now: Millis): void {
    const s = this.st;
    if (count > 0) {
      if (
        s.kind === 'degraded' ||
        s.kind === 'connecting' ||
        (s.kind === 'error' && s.code === 'unreachable')
      ) {
        if (this.tgt === 'connected') this.go({ kind: 'connected', since: now }, now);
      }
    } else if (s.kind === 'connected') {
      const retryAt = (now + retryDelayMs(1)) as Millis;
      this.go({ kind: 'degraded', since: now, attempt: 0, retryAt }, now);
    }
  }

  /** Every path connection is closed. */
  handleClosed(now: Millis): void {
    if (this.st.kind === 'disconnecting') this.finishClose(now);
  }

  /** A failure that retrying will not fix (authentication, protocol mismatch). */
  handleFatal(code: Exclude<SessionErrorCode, 'unreachable'>, message: string, now: Millis): void {
    if (this.st.kind === 'disconnected' || this.st.kind === 'disconnecting') return;
    this.go({ kind: 'error', since: now, code, message }, now);
    this.events.push({ type: 'close', at: now });
  }

  pollTimeout(): Millis | null {
    const s = this.st;
    if (s.kind === 'connecting' || s.kind === 'degraded') return s.retryAt;
    if (s.kind === 'disconnecting') return s.deadline;
    return null;
  }

  handleTimeout(now: Millis): void {
    const s = this.st;
    if ((s.kind === 'connecting' || s.kind === 'degraded') && s.retryAt <= now) {
      const attempt = s.attempt + 1;
      if (attempt > MAX_ATTEMPTS) {
        this.go(
          {
            kind: 'error',
            since: now,
            code: 'unreachable',
            message: `no path answered after ${MAX_ATTEMPTS} attempts`,
          },
          now,
        );
        return;
      }
      // Attempts are paced by the timer alone: the helper's connect action is idempotent (it
      // restarts handshakes on paths that have none), so a slow attempt is not a reason to wait.
      const retryAt = (now + retryDelayMs(attempt)) as Millis;
      this.st = { ...s, attempt, retryAt };
      this.events.push({ type: 'connect', attempt, at: now });
    } else if (s.kind === 'disconnecting' && s.deadline <= now) {
      this.finishClose(now);
    }
  }

  pollEvent(): SessionEvent | undefined {
    return this.events.shift();
  }

  private startAttempt(attempt: number, now: Millis): void {
    this.go(
      { kind: 'connecting', since: now, attempt, retryAt: (now + retryDelayMs(attempt)) as Millis },
      now,
    );
    this.events.push({ type: 'connect', attempt, at: now });
  }

  private finishClose(now: Millis): void {
    this.go({ kind: 'disconnected' }, now);
    if (this.tgt === 'connected') this.startAttempt(1, now);
  }

  private go(next: SessionState, now: Millis): void {
    const from = this.st.kind;
    this.st = next;
    this.events.push({ type: 'state-changed', from, state: next, at: now });
  }
}

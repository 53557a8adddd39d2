import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CLOSE_TIMEOUT_MS,
  MAX_ATTEMPTS,
  RETRY_MAX_MS,
  retryDelayMs,
  type SessionEvent,
  SessionMachine,
  type SessionState,
} from '../../../../app/core/multipath/session-machine.ts';
import { millis } from '../../../../app/core/types.ts';

/** The state's kind, read through a function so assertions do not narrow `m.state` for good. */
function kind(m: SessionMachine): SessionState['kind'] {
  return m.state.kind;
}

function events(m: SessionMachine): string[] {
  const r: string[] = [];
  for (let e: SessionEvent | undefined = m.pollEvent(); e; e = m.pollEvent()) {
    r.push(
      e.type === 'state-changed'
        ? `${e.from}>${e.state.kind}`
        : e.type === 'connect'
          ? `connect#${e.attempt}`
          : 'close',
    );
  }
  return r;
}

/** Follows pollTimeout up to `until`; returns the times handleTimeout ran. */
function runTimers(m: SessionMachine, until: number): number[] {
  const ts: number[] = [];
  for (let t = m.pollTimeout(); t !== null && t <= until; t = m.pollTimeout()) {
    m.handleTimeout(millis(t));
    ts.push(t);
  }
  return ts;
}

describe('SessionMachine', () => {
  test('connect → connected; target kept apart from the state', () => {
    const m = new SessionMachine();
    assert.equal(m.target, 'disconnected');
    m.requestConnect(millis(0));
    assert.equal(m.target, 'connected');
    assert.equal(kind(m), 'connecting');
    m.handleConnected(millis(100));
    assert.deepEqual(events(m), ['disconnected>connecting', 'connect#1', 'connecting>connected']);
    assert.equal(m.pollTimeout(), null);
  });

  test('all paths failed → degraded; attempts back off 1,1,2,4,… capped; bounded → error', () => {
    const m = new SessionMachine();
    m.requestConnect(millis(0));
    m.handleUsablePaths(2, millis(10));
    m.handleUsablePaths(0, millis(1000));
    assert.equal(kind(m), 'degraded');
    events(m);
    const ts = runTimers(m, 10_000_000);
    const ev = events(m);
    assert.equal(ev.filter((e) => e.startsWith('connect#')).length, MAX_ATTEMPTS);
    assert.equal(ev.at(-1), 'degraded>error');
    const gaps = ts.slice(1).map((t, i) => t - (ts[i] as number));
    assert.deepEqual(gaps.slice(0, 6), [1000, 2000, 4000, 8000, 16_000, 30_000]);
    assert.ok(gaps.every((g) => g <= RETRY_MAX_MS));
    assert.equal(ts[0], 2000, 'first attempt 1 s after degrading');
    const s: SessionState = m.state;
    assert.ok(s.kind === 'error' && s.code === 'unreachable');
    // A path answering again recovers the session even now.
    m.handleUsablePaths(1, millis(20_000_000));
    assert.equal(kind(m), 'connected');
  });

  test('degraded → connected when a path returns; no more attempts', () => {
    const m = new SessionMachine();
    m.requestConnect(millis(0));
    m.handleConnected(millis(5));
    m.handleUsablePaths(0, millis(100));
    runTimers(m, 3100);
    m.handleUsablePaths(1, millis(3200));
    assert.equal(kind(m), 'connected');
    assert.equal(m.pollTimeout(), null);
  });

  test('initial connect attempts back off the same way', () => {
    const m = new SessionMachine();
    m.requestConnect(millis(0));
    const ts = runTimers(m, 6999);
    assert.deepEqual(ts, [1000, 3000]);
    assert.deepEqual(events(m), ['disconnected>connecting', 'connect#1', 'connect#2', 'connect#3']);
    assert.equal(retryDelayMs(1), 1000);
    assert.equal(retryDelayMs(20), RETRY_MAX_MS);
  });

  test('disconnect: close, then disconnected on handleClosed or after the close timeout', () => {
    const m = new SessionMachine();
    m.requestConnect(millis(0));
    m.handleConnected(millis(1));
    events(m);
    m.requestDisconnect(millis(10));
    assert.deepEqual(events(m), ['connected>disconnecting', 'close']);
    assert.equal(m.target, 'disconnected');
    m.handleClosed(millis(20));
    assert.equal(kind(m), 'disconnected');
    // Peer gone: the timeout finishes the close.
    m.requestConnect(millis(100));
    m.handleConnected(millis(101));
    m.requestDisconnect(millis(200));
    assert.deepEqual(runTimers(m, 100_000), [200 + CLOSE_TIMEOUT_MS]);
    assert.equal(kind(m), 'disconnected');
  });

  test('connect requested while disconnecting: reconnects once closed', () => {
    const m = new SessionMachine();
    m.requestConnect(millis(0));
    m.handleConnected(millis(1));
    m.requestDisconnect(millis(2));
    m.requestConnect(millis(3));
    assert.equal(kind(m), 'disconnecting');
    events(m);
    m.handleClosed(millis(4));
    assert.deepEqual(events(m), ['disconnecting>disconnected', 'disconnected>connecting', 'connect#1']);
  });

  test('fatal error waits for the user; paths returning do not override it', () => {
    const m = new SessionMachine();
    m.requestConnect(millis(0));
    m.handleFatal('auth', 'peer certificate does not match its NodeId', millis(5));
    assert.equal(kind(m), 'error');
    m.handleUsablePaths(2, millis(6));
    m.handleConnected(millis(7));
    assert.equal(kind(m), 'error');
    m.requestConnect(millis(8));
    assert.equal(kind(m), 'connecting');
    m.requestDisconnect(millis(9));
    m.handleFatal('auth', 'x', millis(10));
    assert.equal(kind(m), 'disconnecting', 'no error while going down');
  });
});

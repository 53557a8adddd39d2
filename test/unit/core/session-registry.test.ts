import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SESSION_EMPTY_TTL_MS, SessionRegistry } from '../../../app/core/session-registry.ts';
import { millis, nodeId } from '../../../app/core/types.ts';

const tok = (n: number) => new Uint8Array(16).fill(n);
const A = nodeId('qe-a');
const B = nodeId('qe-b');

test('first path creates a session; a second path with its token joins it', () => {
  const r = new SessionRegistry();
  const first = r.join(A, undefined, tok(1), millis(0));
  assert.ok(first.ok && first.created);
  if (!first.ok) return;
  const second = r.join(A, tok(1), tok(2), millis(10));
  assert.ok(second.ok);
  if (!second.ok) return;
  assert.equal(second.created, false);
  assert.equal(second.session, first.session);
  assert.notEqual(second.pathId, first.pathId);
});

test('a token presented by another NodeId is refused; an unknown token is refused', () => {
  const r = new SessionRegistry();
  r.join(A, undefined, tok(1), millis(0));
  assert.deepEqual(r.join(B, tok(1), tok(3), millis(0)), { ok: false, reason: 'node-mismatch' });
  assert.deepEqual(r.join(A, tok(9), tok(3), millis(0)), { ok: false, reason: 'unknown-token' });
});

test('a restarted node (new hello without token) replaces its old session', () => {
  const r = new SessionRegistry();
  r.join(A, undefined, tok(1), millis(0));
  r.join(A, undefined, tok(2), millis(1));
  assert.equal(r.size, 1);
  assert.deepEqual(r.join(A, tok(1), tok(3), millis(2)), { ok: false, reason: 'unknown-token' });
});

test('paths per session are capped; empty sessions expire after the TTL only', () => {
  const r = new SessionRegistry();
  const s = r.join(A, undefined, tok(1), millis(0));
  assert.ok(s.ok);
  for (let i = 1; i < 8; i++) assert.ok(r.join(A, tok(1), tok(0), millis(0)).ok);
  assert.deepEqual(r.join(A, tok(1), tok(0), millis(0)), { ok: false, reason: 'too-many-paths' });
  if (!s.ok) return;
  for (const p of [...s.session.paths]) r.leave(s.session.token, p, millis(100));
  assert.deepEqual(r.expire(millis(100 + SESSION_EMPTY_TTL_MS - 1)), []);
  assert.equal(r.expire(millis(100 + SESSION_EMPTY_TTL_MS)).length, 1);
  assert.equal(r.size, 0);
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AnswerWatch,
  PEER_ACK_DELAY_MS,
  QUIET_MIN_MS,
  quietAfterMs,
} from '../../../../app/core/multipath/answer-watch.ts';

describe('answer watch (a path whose traffic goes unanswered)', () => {
  test('limit: 2 x RTT + the peer ACK delay, at least QUIET_MIN_MS; unknown RTT never', () => {
    assert.equal(quietAfterMs(1), QUIET_MIN_MS);
    assert.equal(quietAfterMs(50), 100 + PEER_ACK_DELAY_MS);
    assert.ok(Number.isNaN(quietAfterMs(Number.NaN)));
    const w = new AnswerWatch();
    w.sent(0);
    for (let t = 0; t <= 10_000; t += 20) assert.equal(w.quiet(t, Number.NaN), false);
  });

  test('nothing sent, or everything answered: never quiet, however long', () => {
    const w = new AnswerWatch();
    for (let t = 0; t <= 5000; t += 10) assert.equal(w.quiet(t, 10), false);
    for (let t = 0; t <= 5000; t += 10) {
      w.sent(t);
      if (t % 30 === 0) w.heard();
      assert.equal(w.quiet(t, 10), false, `t=${t}`);
    }
  });

  test('quiet at the first look past the limit that follows an earlier late look', () => {
    const w = new AnswerWatch();
    const limit = quietAfterMs(10); // 50
    w.sent(100);
    w.sent(120); // later sends do not move the start
    assert.equal(w.quiet(100 + limit / 2 - 1, 10), false, 'not yet half late');
    assert.equal(w.quiet(100 + limit - 1, 10), false, 'late by half: noticed');
    assert.equal(w.quiet(100 + limit, 10), true);
    assert.equal(w.quiet(100 + limit + 500, 10), true, 'stays quiet until heard');
    w.heard();
    assert.equal(w.quiet(100 + limit + 501, 10), false);
  });

  test('one late look alone (our own loop held up) is not enough; an answer read then clears it', () => {
    const w = new AnswerWatch();
    w.sent(0);
    assert.equal(w.quiet(400, 10), false, 'first look, long after: we may have been slow');
    assert.equal(w.quiet(400, 10), false, 'a second look in the same batch is not a later look');
    w.heard(); // the answer was waiting in the socket
    assert.equal(w.quiet(401, 10), false);
    w.sent(401);
    assert.equal(w.quiet(430, 10), false, 'a fresh start after the answer');
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  COOKIE_NAME,
  checkRequest,
  cookieValue,
  hostAllowed,
  originAllowed,
  tokenEquals,
} from '../../../app/web-bridge/request-guard.ts';

const PORT = 41234;
const TOKEN = 'tok_ABCdef123';

test('Host must be our loopback name and port (DNS rebinding)', () => {
  assert.equal(hostAllowed(`127.0.0.1:${PORT}`, PORT), true);
  assert.equal(hostAllowed(`LOCALHOST:${PORT}`, PORT), true);
  for (const h of [
    undefined,
    '',
    `evil.example:${PORT}`,
    '127.0.0.1',
    `127.0.0.1:${PORT + 1}`,
    `[::1]:${PORT}`,
    `127.0.0.2:${PORT}`,
  ]) {
    assert.equal(hostAllowed(h, PORT), false, String(h));
  }
});

test('Origin: absent is fine for plain GETs, required for WebSockets, foreign always refused', () => {
  assert.equal(originAllowed(undefined, PORT, false), true);
  assert.equal(originAllowed(undefined, PORT, true), false);
  assert.equal(originAllowed(`http://127.0.0.1:${PORT}`, PORT, true), true);
  for (const o of [
    'null',
    'http://evil.example',
    `http://127.0.0.1:${PORT + 1}`,
    `https://127.0.0.1:${PORT}`,
    `http://evil.example:${PORT}`,
  ]) {
    assert.equal(originAllowed(o, PORT, true), false, o);
  }
});

test('token compare and cookie parsing', () => {
  assert.equal(tokenEquals(TOKEN, TOKEN), true);
  assert.equal(tokenEquals(`${TOKEN}x`, TOKEN), false);
  assert.equal(tokenEquals('', TOKEN), false);
  assert.equal(tokenEquals(null, TOKEN), false);
  assert.equal(cookieValue(`a=1; ${COOKIE_NAME}=${TOKEN}; b=2`, COOKIE_NAME), TOKEN);
  assert.equal(cookieValue('a=1', COOKIE_NAME), null);
  assert.equal(cookieValue(undefined, COOKIE_NAME), null);
});

test('checkRequest: Host, then Origin, then token from query or cookie', () => {
  const base = {
    host: `127.0.0.1:${PORT}`,
    origin: undefined,
    cookie: undefined,
    queryToken: null,
    isWebSocket: false,
  };
  assert.deepEqual(checkRequest({ ...base, queryToken: TOKEN }, PORT, TOKEN), { ok: true, setCookie: true });
  assert.deepEqual(checkRequest({ ...base, cookie: `${COOKIE_NAME}=${TOKEN}` }, PORT, TOKEN), {
    ok: true,
    setCookie: false,
  });
  assert.equal(checkRequest(base, PORT, TOKEN).ok, false);
  assert.equal(checkRequest({ ...base, queryToken: 'nope' }, PORT, TOKEN).ok, false);
  assert.equal(
    checkRequest({ ...base, queryToken: TOKEN, host: `evil.example:${PORT}` }, PORT, TOKEN).ok,
    false,
  );
  assert.equal(
    checkRequest({ ...base, queryToken: TOKEN, isWebSocket: true }, PORT, TOKEN).ok,
    false,
    'ws needs Origin',
  );
  assert.deepEqual(
    checkRequest(
      { ...base, queryToken: TOKEN, isWebSocket: true, origin: `http://127.0.0.1:${PORT}` },
      PORT,
      TOKEN,
    ),
    { ok: true, setCookie: false },
  );
});

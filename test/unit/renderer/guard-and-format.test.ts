import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CSP_HEADER, CSP_META } from '../../../app/renderer/csp.ts';
import { isSameDocumentTarget } from '../../../app/renderer/guard.ts';
import { formatBps, formatDuration, formatMs, formatPct } from '../../../app/renderer/lib/format.ts';

test('navigation guard: only our own document passes', () => {
  const here = { origin: 'http://127.0.0.1:4000', pathname: '/' };
  assert.equal(isSameDocumentTarget('#paths', here), true);
  assert.equal(isSameDocumentTarget('/', here), true);
  assert.equal(isSameDocumentTarget('/other', here), false);
  assert.equal(isSameDocumentTarget('http://127.0.0.1:4001/', here), false);
  assert.equal(isSameDocumentTarget('https://evil.example/', here), false);
  assert.equal(isSameDocumentTarget('javascript:alert(1)', here), false);
});

test('CSP: no inline or eval script, nothing remote; header sandboxes without popups', () => {
  assert.match(CSP_META, /default-src 'none'/);
  assert.match(CSP_META, /script-src 'self'(;|$)/);
  assert.doesNotMatch(CSP_META, /unsafe-inline|unsafe-eval|\*|https?:/);
  assert.match(CSP_HEADER, /frame-ancestors 'none'/);
  assert.match(CSP_HEADER, /sandbox allow-scripts allow-same-origin$/);
  assert.doesNotMatch(CSP_HEADER, /allow-popups|allow-top-navigation/);
});

test('formatting', () => {
  assert.equal(formatBps(0), '0 bit/s');
  assert.equal(formatBps(1_234), '1.23 kbit/s');
  assert.equal(formatBps(84_200_000), '84.2 Mbit/s');
  assert.equal(formatBps(205_000_000), '205 Mbit/s');
  assert.equal(formatMs(24.53), '24.5 ms');
  assert.equal(formatPct(0.0053), '0.53 %');
  assert.equal(formatPct(0.2), '20.0 %');
  assert.equal(formatDuration(65_000), '1m 05s');
  assert.equal(formatDuration(3_725_000), '1h 02m 05s');
});

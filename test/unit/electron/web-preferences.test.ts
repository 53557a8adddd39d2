import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowPermission, hardenedWebPreferences } from '../../../electron/main/logic/web-preferences.ts';

test('windows are sandboxed, context-isolated, without Node, with web security (SECURITY E1)', () => {
  const p = hardenedWebPreferences('/app/dist/electron/preload.cjs');
  assert.equal(p.sandbox, true);
  assert.equal(p.contextIsolation, true);
  assert.equal(p.nodeIntegration, false);
  assert.equal(p.nodeIntegrationInWorker, false);
  assert.equal(p.nodeIntegrationInSubFrames, false);
  assert.equal(p.webSecurity, true);
  assert.equal(p.allowRunningInsecureContent, false);
  assert.equal(p.webviewTag, false);
  assert.equal(p.preload, '/app/dist/electron/preload.cjs');
});

test('every permission request is denied', () => {
  for (const perm of [
    'media',
    'geolocation',
    'notifications',
    'clipboard-read',
    'openExternal',
    'fullscreen',
  ]) {
    assert.equal(allowPermission(perm), false, perm);
  }
});

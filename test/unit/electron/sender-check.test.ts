import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type AppLocation,
  allowNavigation,
  checkIpcSender,
  isOwnUrl,
  windowOpenDecision,
} from '../../../electron/main/logic/sender-check.ts';

const FILE: AppLocation = {
  kind: 'file',
  indexPath: '/opt/QuicEther/resources/app.asar/dist/renderer/index.html',
};
const DEV: AppLocation = { kind: 'origin', origin: 'http://127.0.0.1:5173' };
const OWN_URL = 'file:///opt/QuicEther/resources/app.asar/dist/renderer/index.html';
const OWN = new Set([7]);

describe('isOwnUrl', () => {
  test('our document, with or without fragment and query', () => {
    assert.equal(isOwnUrl(OWN_URL, FILE), true);
    assert.equal(isOwnUrl(`${OWN_URL}#/paths`, FILE), true);
    assert.equal(isOwnUrl(`${OWN_URL}?x=1`, FILE), true);
    assert.equal(isOwnUrl('http://127.0.0.1:5173/anything', DEV), true);
  });

  test('anything else is foreign', () => {
    for (const url of [
      'file:///etc/passwd',
      'file:///opt/QuicEther/resources/app.asar/dist/renderer/other.html',
      'file:///opt/QuicEther/resources/app.asar/dist/renderer/index.html/../../../../etc/passwd',
      'file://evil.example/opt/QuicEther/resources/app.asar/dist/renderer/index.html',
      'https://evil.example/',
      'about:blank',
      'data:text/html,hi',
      'javascript:alert(1)',
      '',
      'not a url',
    ]) {
      assert.equal(isOwnUrl(url, FILE), false, url);
    }
    assert.equal(isOwnUrl(undefined, FILE), false);
    assert.equal(isOwnUrl('http://127.0.0.1:5174/', DEV), false, 'other port');
    assert.equal(isOwnUrl('http://localhost:5173/', DEV), false, 'other host name');
    assert.equal(isOwnUrl('https://127.0.0.1:5173/', DEV), false, 'other scheme');
    assert.equal(
      isOwnUrl('data:text/html,x', { kind: 'origin', origin: 'null' }),
      false,
      'opaque origins never match',
    );
  });
});

describe('checkIpcSender', () => {
  test('accepts the top frame of our own window showing our document', () => {
    assert.deepEqual(checkIpcSender({ frameUrl: OWN_URL, isMainFrame: true, webContentsId: 7 }, FILE, OWN), {
      ok: true,
    });
  });

  test('refuses another webContents, a subframe, a navigated frame, and a destroyed frame', () => {
    const cases = [
      { frameUrl: OWN_URL, isMainFrame: true, webContentsId: 8 },
      { frameUrl: OWN_URL, isMainFrame: false, webContentsId: 7 },
      { frameUrl: 'https://evil.example/', isMainFrame: true, webContentsId: 7 },
      { frameUrl: undefined, isMainFrame: true, webContentsId: 7 },
    ];
    for (const c of cases) {
      const v = checkIpcSender(c, FILE, OWN);
      assert.equal(v.ok, false, JSON.stringify(c));
    }
  });
});

describe('navigation and popups', () => {
  test('will-navigate: only our own document', () => {
    assert.equal(allowNavigation(`${OWN_URL}#x`, FILE), true);
    assert.equal(allowNavigation('https://evil.example/', FILE), false);
    assert.equal(allowNavigation('file:///home/user/Downloads/x.html', FILE), false);
  });

  test('window.open is always denied; only https links may go to the system browser', () => {
    assert.deepEqual(windowOpenDecision('https://quicether.example/docs'), {
      action: 'deny',
      openExternally: true,
    });
    assert.deepEqual(windowOpenDecision('http://quicether.example/'), {
      action: 'deny',
      openExternally: false,
    });
    assert.deepEqual(windowOpenDecision('file:///etc/passwd'), { action: 'deny', openExternally: false });
    assert.deepEqual(windowOpenDecision('javascript:alert(1)'), { action: 'deny', openExternally: false });
  });
});

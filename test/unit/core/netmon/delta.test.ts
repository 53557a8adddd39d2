import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  diffInterfaces,
  type InterfaceInfo,
  kindOf,
  usableForPath,
} from '../../../../app/core/netmon/delta.ts';

const iface = (name: string, up: boolean, addresses: string[]): InterfaceInfo => ({
  name,
  kind: kindOf(name),
  up,
  addresses,
  metered: false,
});

describe('diffInterfaces', () => {
  test('no change gives no delta', () => {
    const a = [iface('wlan0', true, ['198.18.1.2'])];
    assert.deepEqual(diffInterfaces(a, a), []);
  });
  test('an address swap on one interface is one address change (roaming)', () => {
    const before = [iface('wlan0', true, ['198.18.1.2']), iface('wwan0', true, ['198.18.2.2'])];
    const after = [iface('wlan0', true, ['198.18.1.9']), iface('wwan0', true, ['198.18.2.2'])];
    assert.deepEqual(diffInterfaces(before, after), [
      { type: 'address', name: 'wlan0', added: ['198.18.1.9'], removed: ['198.18.1.2'] },
    ]);
  });
  test('link down, added and removed interfaces, in name order', () => {
    const before = [iface('eth0', true, ['198.18.3.2']), iface('wlan0', true, ['198.18.1.2'])];
    const after = [iface('eth0', false, ['198.18.3.2']), iface('wwan0', true, ['198.18.2.2'])];
    const d = diffInterfaces(before, after);
    assert.deepEqual(
      d.map((c) => c.type),
      ['link', 'removed', 'added'],
    );
    assert.deepEqual(d[0], { type: 'link', name: 'eth0', up: false });
  });
});

describe('kindOf / usableForPath', () => {
  test('names map to kinds', () => {
    assert.equal(kindOf('wlp2s0'), 'wifi');
    assert.equal(kindOf('wifi0'), 'wifi');
    assert.equal(kindOf('wwan0'), 'cellular');
    assert.equal(kindOf('lte0'), 'cellular');
    assert.equal(kindOf('enp0s31f6'), 'ethernet');
    assert.equal(kindOf('eth0'), 'ethernet');
    assert.equal(kindOf('docker0'), 'other');
    assert.equal(kindOf('x', { wireless: true }), 'wifi');
  });
  test('only up interfaces with an address, never the tunnel or loopback', () => {
    assert.equal(usableForPath(iface('wlan0', true, ['198.18.1.2']), 'quicether0'), true);
    assert.equal(usableForPath(iface('wlan0', false, ['198.18.1.2']), 'quicether0'), false);
    assert.equal(usableForPath(iface('wlan0', true, []), 'quicether0'), false);
    assert.equal(usableForPath(iface('quicether0', true, ['198.19.0.2']), 'quicether0'), false);
    assert.equal(usableForPath(iface('lo', true, ['127.0.0.1']), 'quicether0'), false);
  });
});

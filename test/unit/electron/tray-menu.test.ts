import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TUNNEL_STATES } from '../../../app/renderer/model.ts';
import { snapshotHelperDown } from '../../../app/renderer/protocol-adapter.ts';
import { type TrayItem, trayIconFor, trayModel } from '../../../electron/main/logic/tray-menu.ts';
import { snap } from './fixtures.ts';

const actions = (items: readonly TrayItem[]) =>
  items.flatMap((i) =>
    i.type === 'action' || i.type === 'checkbox'
      ? [{ label: i.label, enabled: i.enabled, action: i.action }]
      : [],
  );

describe('tray model', () => {
  test('one icon per state family', () => {
    assert.deepEqual(
      TUNNEL_STATES.map((s) => [s, trayIconFor(s)]),
      [
        ['disconnected', 'disconnected'],
        ['connecting', 'connecting'],
        ['connected', 'connected'],
        ['degraded', 'degraded'],
        ['disconnecting', 'connecting'],
        ['error', 'error'],
        ['helper-down', 'error'],
      ],
    );
  });

  test('connected: Disconnect, dashboard, one checkbox per interface with the flip action, quit', () => {
    const m = trayModel(snap());
    assert.equal(m.icon, 'connected');
    assert.match(m.tooltip, /Connected to gateway/);
    assert.deepEqual(actions(m.items), [
      { label: 'Disconnect', enabled: true, action: { kind: 'disconnect' } },
      { label: 'Open dashboard', enabled: true, action: { kind: 'open-dashboard' } },
      {
        label: 'Wi-Fi (wlan0)',
        enabled: true,
        action: { kind: 'set-interface', name: 'wlan0', enabled: false },
      },
      {
        label: 'Cellular (wwan0) — metered',
        enabled: true,
        action: { kind: 'set-interface', name: 'wwan0', enabled: true },
      },
      { label: 'Quit QuicEther', enabled: true, action: { kind: 'quit' } },
    ]);
    const boxes = m.items.filter((i) => i.type === 'checkbox');
    assert.deepEqual(
      boxes.map((b) => b.type === 'checkbox' && b.checked),
      [true, false],
    );
  });

  test('the connect item follows the target, so a connection in progress can be cancelled', () => {
    const m = trayModel(snap({ state: 'connecting', target: 'connected' }));
    assert.equal(m.icon, 'connecting');
    assert.equal(actions(m.items)[0]?.label, 'Disconnect');
    const d = trayModel(snap({ state: 'disconnected', target: 'disconnected' }));
    assert.equal(actions(d.items)[0]?.label, 'Connect');
    assert.equal(d.icon, 'disconnected');
  });

  test('helper down: error icon, tooltip says why, changes disabled, dashboard and quit still work', () => {
    const s = snapshotHelperDown(snap(), {
      reason: 'not-running',
      detail: 'no helper listening at /run/quicether/helper.sock',
    });
    const m = trayModel(s);
    assert.equal(m.icon, 'error');
    assert.match(m.tooltip, /not running/);
    const a = actions(m.items);
    assert.deepEqual(
      a.map((x) => [x.label.split(' ')[0], x.enabled]),
      [
        ['Connect', false],
        ['Open', true],
        ['Wi-Fi', false],
        ['Cellular', false],
        ['Quit', true],
      ],
    );
  });

  test('the first connection attempt is not shown as an error', () => {
    const m = trayModel(snapshotHelperDown(null, { reason: 'starting', detail: '' }));
    assert.equal(m.icon, 'disconnected');
  });

  test('read-only callers can look but not change', () => {
    const m = trayModel(snap({ helper: { reachable: true, readOnly: true } }));
    const a = actions(m.items);
    assert.equal(a.find((x) => x.label === 'Disconnect')?.enabled, false);
    assert.equal(
      a.filter((x) => x.action.kind === 'set-interface').every((x) => !x.enabled),
      true,
    );
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PathSample, Status } from '../../../app/protocol/schema.ts';
import { deriveBanners } from '../../../app/renderer/banners.ts';
import {
  helperDownReason,
  snapshotFromHelper,
  snapshotHelperDown,
  toPathView,
  toPeerView,
} from '../../../app/renderer/protocol-adapter.ts';

const STATUS: Status = {
  target: 'connected',
  state: 'connected',
  mode: 'failover',
  scheduler: 'latency',
  helperVersion: '0.1.0',
  connectedForMs: 5_000,
  activePaths: 1,
  lastError: { code: 'peer_unreachable', message: 'no answer from 192.0.2.1:4433' },
};

describe('protocol → view model', () => {
  test('path samples: renamed fields keep their values', () => {
    const p: PathSample = {
      pathId: 3,
      interface: 'wlan0',
      state: 'standby',
      rttMs: 12.5,
      rttVarMs: 1.5,
      loss: 0.02,
      txBps: 100,
      rxBps: 200,
      share: 0.25,
      cwndBytes: 14_720,
      reorderEvents: 9,
    };
    assert.deepEqual(toPathView(p), {
      pathId: 3,
      interface: 'wlan0',
      state: 'standby',
      rttMs: 12.5,
      rttVarMs: 1.5,
      lossRatio: 0.02,
      txBps: 100,
      rxBps: 200,
      share: 0.25,
      cwnd: 14_720,
      reorderEvents: 9,
      stalled: false,
    });
    assert.equal(toPathView({ ...p, stalled: true }).stalled, true);
    assert.equal(toPathView({ ...p, stalled: false }).stalled, false);
  });

  test('peer: the connected one first, else the first, else none', () => {
    const a = { nodeId: 'a', endpoints: [], routes: [], connected: false, paths: 0 };
    const b = {
      nodeId: 'b',
      name: 'gw',
      endpoints: ['192.0.2.1:4433'],
      routes: [],
      connected: true,
      paths: 2,
    };
    assert.equal(toPeerView([a, b])?.nodeId, 'b');
    assert.equal(toPeerView([a, b])?.endpoint, '192.0.2.1:4433');
    assert.equal(toPeerView([a])?.nodeId, 'a');
    assert.equal(toPeerView([a])?.endpoint, undefined);
    assert.equal(toPeerView([]), null);
  });

  test('error codes map to the reason that decides the remedy', () => {
    assert.equal(helperDownReason('not_running', true), 'not-running');
    assert.equal(helperDownReason('not_running', false), 'not-installed');
    assert.equal(helperDownReason('permission_denied', true), 'permission-denied');
    assert.equal(helperDownReason('version_mismatch', true), 'incompatible');
    assert.equal(helperDownReason('connection_closed', true), 'unreachable');
  });

  test('snapshot from a reachable helper: state from the explicit field, banners derived', () => {
    const s = snapshotFromHelper({
      status: STATUS,
      state: 'error',
      interfaces: [],
      peers: [],
      sample: null,
      uptimeMs: 0,
      readOnly: false,
    });
    assert.equal(s.state, 'error');
    assert.equal(s.mode, 'failover');
    assert.deepEqual(s.lastError, { code: 'peer_unreachable', message: 'no answer from 192.0.2.1:4433' });
    assert.equal(s.banners[0]?.id, 'error');
    assert.match(s.banners[0]?.detail ?? '', /peer_unreachable/);
  });

  test('helper down keeps the last known settings and interfaces', () => {
    const up = snapshotFromHelper({
      status: STATUS,
      state: 'connected',
      interfaces: [
        { name: 'eth0', kind: 'ethernet', addresses: [], up: true, enabled: true, metered: false },
      ],
      peers: [],
      sample: null,
      uptimeMs: 0,
      readOnly: false,
    });
    const down = snapshotHelperDown(up, { reason: 'permission-denied', detail: 'EACCES' });
    assert.equal(down.state, 'helper-down');
    assert.equal(down.mode, 'failover');
    assert.equal(down.interfaces.length, 1);
    assert.equal(down.stats, null);
    assert.match(down.banners[0]?.remedy ?? '', /usermod -aG quicether/);
  });

  test('banners: degraded warns, helper-down hides every other banner', () => {
    const h = { reachable: true, readOnly: true };
    assert.deepEqual(
      deriveBanners('degraded', h, undefined, 1).map((b) => [b.id, b.level]),
      [
        ['degraded', 'warning'],
        ['read-only', 'info'],
      ],
    );
    assert.deepEqual(
      deriveBanners(
        'helper-down',
        { reachable: false, readOnly: false, reason: 'not-running' },
        undefined,
        0,
      ).map((b) => b.id),
      ['helper-down'],
    );
    assert.deepEqual(deriveBanners('connected', { reachable: true, readOnly: false }, undefined, 2), []);
  });
});

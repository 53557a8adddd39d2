// Snapshots for main-process tests.
import type { InterfaceView, Snapshot } from '../../../app/renderer/model.ts';

export const IFACES: InterfaceView[] = [
  { name: 'wlan0', kind: 'wifi', addresses: ['198.51.100.23/24'], up: true, enabled: true, metered: false },
  {
    name: 'wwan0',
    kind: 'cellular',
    addresses: ['203.0.113.77/30'],
    up: true,
    enabled: false,
    metered: true,
  },
];

export function snap(over: Partial<Snapshot> = {}): Snapshot {
  return {
    state: 'connected',
    target: 'connected',
    peer: {
      nodeId: 'qe1-gateway-0123456789abcdef',
      name: 'gateway',
      endpoint: '192.0.2.1:4433',
      connected: true,
    },
    mode: 'aggregate',
    scheduler: 'weighted',
    interfaces: IFACES,
    helper: { reachable: true, readOnly: false, version: '0.1.0' },
    banners: [],
    stats: null,
    ...over,
  };
}

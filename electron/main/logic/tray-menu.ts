// The tray as a pure function of the snapshot: which icon, which tooltip, which menu items. The
// edge turns the model into an Electron Menu; tests check the model.
import type { InterfaceView, Snapshot, TunnelState } from '../../../app/renderer/model.ts';

/** One icon per state family; file names are resources/tray/<name>.png (and @2x). */
export type TrayIcon = 'disconnected' | 'connecting' | 'connected' | 'degraded' | 'error';

export const TRAY_ICONS: readonly TrayIcon[] = [
  'disconnected',
  'connecting',
  'connected',
  'degraded',
  'error',
];

export type TrayAction =
  | { readonly kind: 'connect' }
  | { readonly kind: 'disconnect' }
  | { readonly kind: 'open-dashboard' }
  | { readonly kind: 'set-interface'; readonly name: string; readonly enabled: boolean }
  | { readonly kind: 'quit' };

export type TrayItem =
  | { readonly type: 'separator' }
  | { readonly type: 'label'; readonly label: string }
  | {
      readonly type: 'action';
      readonly label: string;
      readonly enabled: boolean;
      readonly action: TrayAction;
    }
  | {
      readonly type: 'checkbox';
      readonly label: string;
      readonly checked: boolean;
      readonly enabled: boolean;
      readonly action: TrayAction;
    };

export interface TrayModel {
  readonly icon: TrayIcon;
  readonly tooltip: string;
  readonly items: readonly TrayItem[];
}

export function trayIconFor(state: TunnelState): TrayIcon {
  switch (state) {
    case 'connected':
      return 'connected';
    case 'degraded':
      return 'degraded';
    case 'connecting':
    case 'disconnecting':
      return 'connecting';
    case 'error':
    case 'helper-down':
      return 'error';
    case 'disconnected':
      return 'disconnected';
  }
}

const STATE_LABEL: Record<TunnelState, string> = {
  disconnected: 'Disconnected',
  connecting: 'Connecting…',
  connected: 'Connected',
  degraded: 'Connected (degraded)',
  disconnecting: 'Disconnecting…',
  error: 'Error',
  'helper-down': 'Helper not running',
};

function interfaceLabel(i: InterfaceView): string {
  const kind =
    i.kind === 'cellular'
      ? 'Cellular'
      : i.kind === 'wifi'
        ? 'Wi-Fi'
        : i.kind === 'ethernet'
          ? 'Ethernet'
          : 'Network';
  const notes = [!i.up ? 'down' : null, i.metered ? 'metered' : null].filter((x): x is string => x !== null);
  return `${kind} (${i.name})${notes.length ? ` — ${notes.join(', ')}` : ''}`;
}

export function trayModel(s: Snapshot): TrayModel {
  const reachable = s.state !== 'helper-down';
  const canChange = reachable && !s.helper.readOnly;
  const items: TrayItem[] = [{ type: 'label', label: `QuicEther: ${STATE_LABEL[s.state]}` }];
  // Connect/disconnect follows the *target*: while connecting, the user can still cancel.
  if (s.target === 'connected' && reachable) {
    items.push({ type: 'action', label: 'Disconnect', enabled: canChange, action: { kind: 'disconnect' } });
  } else {
    items.push({ type: 'action', label: 'Connect', enabled: canChange, action: { kind: 'connect' } });
  }
  items.push({ type: 'action', label: 'Open dashboard', enabled: true, action: { kind: 'open-dashboard' } });
  if (s.interfaces.length > 0) {
    items.push({ type: 'separator' }, { type: 'label', label: 'Use networks' });
    for (const i of s.interfaces) {
      items.push({
        type: 'checkbox',
        label: interfaceLabel(i),
        checked: i.enabled,
        enabled: canChange,
        action: { kind: 'set-interface', name: i.name, enabled: !i.enabled },
      });
    }
  }
  items.push(
    { type: 'separator' },
    { type: 'action', label: 'Quit QuicEther', enabled: true, action: { kind: 'quit' } },
  );

  const peer = s.peer ? ` to ${s.peer.name ?? s.peer.nodeId.slice(0, 12)}` : '';
  const tooltip =
    s.state === 'helper-down'
      ? `QuicEther — ${s.banners[0]?.title ?? STATE_LABEL[s.state]}`
      : `QuicEther — ${STATE_LABEL[s.state]}${s.state === 'connected' || s.state === 'degraded' ? peer : ''}`;
  // The very first connection attempt is not an error: don't flash a red icon at login.
  const icon =
    s.state === 'helper-down' && s.helper.reason === 'starting' ? 'disconnected' : trayIconFor(s.state);
  return { icon, tooltip, items };
}

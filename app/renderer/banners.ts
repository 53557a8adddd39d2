// Banners are derived, never stored: the same state always gives the same banners, whether the
// snapshot came through Electron IPC or the web bridge.
import type { Banner, HelperView, Snapshot, TunnelState } from './model.ts';

const HELPER_REMEDY: Record<NonNullable<HelperView['reason']>, { title: string; remedy: string }> = {
  'not-installed': {
    title: 'The QuicEther helper is not installed',
    remedy: 'Install the quicether package (sudo apt install ./quicether_*.deb), then reopen this window.',
  },
  'not-running': {
    title: 'The QuicEther helper is not running',
    remedy: 'Start it with: sudo systemctl start quicether-helper',
  },
  'permission-denied': {
    title: 'Not allowed to talk to the helper',
    remedy:
      'Add yourself to the quicether group (sudo usermod -aG quicether $USER), then log out and back in.',
  },
  incompatible: {
    title: 'The helper speaks another protocol version',
    remedy: 'Update the app and the helper to the same release.',
  },
  unreachable: {
    title: 'Lost contact with the helper',
    remedy: 'If this persists, see its log: journalctl -u quicether-helper',
  },
  starting: {
    title: 'Contacting the helper…',
    remedy: '',
  },
};

export function deriveBanners(
  state: TunnelState,
  helper: HelperView,
  lastError: Snapshot['lastError'],
  activePaths: number,
): Banner[] {
  const out: Banner[] = [];
  if (state === 'helper-down') {
    const reason = helper.reason ?? 'unreachable';
    const r = HELPER_REMEDY[reason];
    out.push({
      id: 'helper-down',
      level: reason === 'starting' ? 'info' : 'error',
      title: r.title,
      detail: helper.detail ?? 'No answer on the control socket.',
      ...(r.remedy ? { remedy: r.remedy } : {}),
    });
    return out;
  }
  if (state === 'degraded') {
    out.push({
      id: 'degraded',
      level: 'warning',
      title: 'Tunnel degraded',
      detail:
        activePaths <= 1
          ? 'Running on a single path: no failover until another network comes back.'
          : 'One or more paths are failing; traffic moved to the healthy ones.',
    });
  }
  if (state === 'error') {
    out.push({
      id: 'error',
      level: 'error',
      title: 'Tunnel error',
      detail: lastError
        ? `${lastError.message} (${lastError.code})`
        : 'The tunnel failed; the helper keeps retrying.',
      remedy: 'Check that the peer is reachable, or disconnect and connect again.',
    });
  }
  if (helper.readOnly) {
    out.push({
      id: 'read-only',
      level: 'info',
      title: 'Read-only',
      detail: 'You can watch the tunnel but not change it.',
      remedy: 'Join the quicether group to control it (sudo usermod -aG quicether $USER).',
    });
  }
  return out;
}

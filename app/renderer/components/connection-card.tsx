import { formatDuration } from '../lib/format.ts';
import type { TunnelState } from '../model.ts';
import { useApi, useDashboard } from '../state/context.tsx';
import { selectUptime } from '../state/store.ts';
import { useAction } from './use-action.ts';

const LABEL: Record<TunnelState, string> = {
  disconnected: 'Disconnected',
  connecting: 'Connecting…',
  connected: 'Connected',
  degraded: 'Degraded',
  disconnecting: 'Disconnecting…',
  error: 'Error',
  'helper-down': 'Helper unavailable',
};

function Uptime() {
  const uptime = useDashboard(selectUptime);
  return <span data-testid="uptime">{formatDuration(uptime)}</span>;
}

function ActivePaths() {
  const n = useDashboard((s) => s.pathIds.filter((id) => s.latest[id]?.state === 'active').length);
  const total = useDashboard((s) => s.pathIds.length);
  return (
    <>
      {n}
      <span className="muted"> / {total}</span>
    </>
  );
}

export function ConnectionCard() {
  const api = useApi();
  const act = useAction();
  const state = useDashboard((s) => s.snapshot?.state ?? 'helper-down');
  const target = useDashboard((s) => s.snapshot?.target ?? 'disconnected');
  const peer = useDashboard((s) => s.snapshot?.peer ?? null);
  const readOnly = useDashboard((s) => s.snapshot?.helper.readOnly ?? false);
  const down = state === 'helper-down';
  const wantsUp = target === 'connected' && !down;
  const live = state === 'connected' || state === 'degraded';
  return (
    <section className="card connection-card" aria-label="Connection" data-state={state}>
      <div className="conn-status">
        <span className={`status-dot status-${state}`} aria-hidden="true" />
        <div>
          <div className="conn-state" data-testid="tunnel-state">
            {LABEL[state]}
          </div>
          <div className="muted small">
            {peer ? (
              <>
                to <strong className="peer-name">{peer.name ?? `${peer.nodeId.slice(0, 16)}…`}</strong>
                {peer.endpoint ? <span className="mono"> · {peer.endpoint}</span> : null}
              </>
            ) : (
              'No peer configured'
            )}
          </div>
        </div>
      </div>
      <dl className="conn-facts">
        <div>
          <dt>Session</dt>
          <dd>{live ? <Uptime /> : '—'}</dd>
        </div>
        <div>
          <dt>Active paths</dt>
          <dd data-testid="active-paths">
            <ActivePaths />
          </dd>
        </div>
        <div>
          <dt>Requested</dt>
          <dd>{target === 'connected' ? 'Connected' : 'Disconnected'}</dd>
        </div>
        <div>
          <dt>Peer ID</dt>
          <dd className="mono ellipsis" title={peer?.nodeId}>
            {peer ? peer.nodeId : '—'}
          </dd>
        </div>
      </dl>
      <button
        type="button"
        className={wantsUp ? 'button button-secondary' : 'button button-primary'}
        disabled={down || readOnly}
        data-testid="connect-button"
        onClick={() =>
          void (wantsUp ? act('Disconnect', () => api.disconnect()) : act('Connect', () => api.connect()))
        }
      >
        {wantsUp ? 'Disconnect' : 'Connect'}
      </button>
    </section>
  );
}

import { memo } from 'react';
import { KindIcon } from '../lib/icons.tsx';
import type { InterfaceView } from '../model.ts';
import { useApi, useDashboard, useDashboardStore } from '../state/context.tsx';
import { selectPending } from '../state/store.ts';
import { useAction } from './use-action.ts';

const KIND_LABEL = { wifi: 'Wi-Fi', cellular: 'Cellular', ethernet: 'Ethernet', other: 'Network' } as const;

const InterfaceRow = memo(function InterfaceRow({
  iface,
  locked,
  helperDown,
}: {
  iface: InterfaceView;
  helperDown: boolean;
  locked: boolean;
}) {
  const api = useApi();
  const act = useAction();
  const store = useDashboardStore();
  const pending = useDashboard(selectPending(iface.name));
  const pathState = useDashboard((s) => {
    for (const id of s.pathIds) if (s.latest[id]?.interface === iface.name) return s.latest[id]?.state;
    return undefined;
  });
  const toggle = async () => {
    store.getState().setPending(iface.name, true);
    await act(`${iface.enabled ? 'Disabling' : 'Enabling'} ${iface.name}`, () =>
      api.setInterfaceEnabled(iface.name, !iface.enabled),
    );
    store.getState().setPending(iface.name, false);
  };
  const status = helperDown ? 'unknown' : !iface.up ? 'down' : !iface.enabled ? 'off' : (pathState ?? 'idle');
  return (
    <li className={`iface-row${iface.enabled ? '' : ' iface-disabled'}`} data-testid={`iface-${iface.name}`}>
      <span className={`iface-icon kind-${iface.kind}`}>
        <KindIcon kind={iface.kind} />
      </span>
      <div className="iface-main">
        <div className="iface-name">
          {KIND_LABEL[iface.kind]} <span className="mono muted">{iface.name}</span>
          {iface.metered ? <span className="badge badge-metered">metered</span> : null}
        </div>
        <div className="iface-addr mono muted small">{iface.addresses[0] ?? 'no address'}</div>
      </div>
      <span className={`chip chip-${status}`} data-testid={`iface-status-${iface.name}`}>
        {status}
      </span>
      <button
        type="button"
        role="switch"
        aria-checked={iface.enabled}
        aria-label={`Use ${iface.name}`}
        className="switch"
        disabled={locked || pending}
        data-testid={`iface-switch-${iface.name}`}
        onClick={() => void toggle()}
      >
        <span className="switch-knob" />
      </button>
    </li>
  );
});

export function InterfacesCard() {
  const interfaces = useDashboard((s) => s.snapshot?.interfaces);
  const locked = useDashboard(
    (s) => !s.snapshot || s.snapshot.state === 'helper-down' || s.snapshot.helper.readOnly,
  );
  const helperDown = useDashboard((s) => s.snapshot?.state === 'helper-down');
  return (
    <section className="card" aria-label="Networks">
      <h2 className="card-title">Networks</h2>
      {interfaces && interfaces.length > 0 ? (
        <ul className="iface-list">
          {interfaces.map((i) => (
            <InterfaceRow key={i.name} iface={i} locked={locked} helperDown={helperDown} />
          ))}
        </ul>
      ) : (
        <p className="muted empty">No network interfaces reported.</p>
      )}
    </section>
  );
}

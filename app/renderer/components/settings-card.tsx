import { MODES, type Mode, SCHEDULERS, type Scheduler } from '../model.ts';
import { useApi, useDashboard } from '../state/context.tsx';
import { useAction } from './use-action.ts';

const MODE_LABEL: Record<Mode, string> = {
  aggregate: 'Aggregate',
  failover: 'Failover',
  disable: 'Single path',
};
const MODE_HINT: Record<Mode, string> = {
  aggregate: 'Use every enabled network at once for more bandwidth.',
  failover: 'Use the best network; switch instantly when it fails.',
  disable: 'One path only, no multipath.',
};
const SCHED_LABEL: Record<Scheduler, string> = {
  weighted: 'Weighted',
  latency: 'Latency',
  'round-robin': 'Round robin',
  redundant: 'Redundant',
};

function Segmented<T extends string>(props: {
  label: string;
  options: readonly T[];
  value: T | undefined;
  labels: Record<T, string>;
  disabled: boolean;
  testId: string;
  onChange: (v: T) => void;
}) {
  return (
    <div className="segmented" role="radiogroup" aria-label={props.label} data-testid={props.testId}>
      {props.options.map((o) => (
        // biome-ignore lint/a11y/useSemanticElements: a segmented control of buttons is a valid ARIA radio group
        <button
          key={o}
          type="button"
          role="radio"
          aria-checked={props.value === o}
          className={props.value === o ? 'seg seg-on' : 'seg'}
          disabled={props.disabled}
          data-value={o}
          onClick={() => props.value !== o && props.onChange(o)}
        >
          {props.labels[o]}
        </button>
      ))}
    </div>
  );
}

export function SettingsCard() {
  const api = useApi();
  const act = useAction();
  const mode = useDashboard((s) => s.snapshot?.mode);
  const scheduler = useDashboard((s) => s.snapshot?.scheduler);
  const locked = useDashboard(
    (s) => !s.snapshot || s.snapshot.state === 'helper-down' || s.snapshot.helper.readOnly,
  );
  return (
    <section className="card" aria-label="Multipath settings">
      <h2 className="card-title">Multipath</h2>
      <div className="setting">
        <div className="setting-label">Mode</div>
        <Segmented
          label="Mode"
          options={MODES}
          value={mode}
          labels={MODE_LABEL}
          disabled={locked}
          testId="mode"
          onChange={(m) => void act('Mode', () => api.setMode(m))}
        />
        <div className="muted small setting-hint">{mode ? MODE_HINT[mode] : ''}</div>
      </div>
      <div className="setting">
        <div className="setting-label">Scheduler</div>
        <Segmented
          label="Scheduler"
          options={SCHEDULERS}
          value={scheduler}
          labels={SCHED_LABEL}
          disabled={locked || mode !== 'aggregate'}
          testId="scheduler"
          onChange={(s) => void act('Scheduler', () => api.setScheduler(s))}
        />
      </div>
    </section>
  );
}

import { useDashboard, useDashboardStore } from '../state/context.tsx';
import { selectActionError } from '../state/store.ts';

export function Toast() {
  const msg = useDashboard(selectActionError);
  const store = useDashboardStore();
  if (!msg) return null;
  return (
    <div className="toast" role="alert" data-testid="toast">
      <span>{msg}</span>
      <button
        type="button"
        className="icon-button"
        aria-label="Dismiss"
        onClick={() => store.getState().setActionError(null)}
      >
        ×
      </button>
    </div>
  );
}

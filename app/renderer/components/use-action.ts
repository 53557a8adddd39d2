// Runs one bridge call and turns a failure into the toast message; never throws.
import { useCallback } from 'react';
import type { Result } from '../bridge.ts';
import { useDashboardStore } from '../state/context.tsx';

export function useAction() {
  const store = useDashboardStore();
  return useCallback(
    async (label: string, run: () => Promise<Result<null>>): Promise<boolean> => {
      const r = await run();
      if (r.ok) {
        store.getState().setActionError(null);
        return true;
      }
      store.getState().setActionError(`${label} failed: ${r.error.message}`);
      return false;
    },
    [store],
  );
}

// Hands the store and the bridge to components without module-level singletons.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { DesktopApi } from '../bridge.ts';
import type { DashboardActions, DashboardState, DashboardStore } from './store.ts';

export const StoreContext = createContext<DashboardStore | null>(null);
export const ApiContext = createContext<DesktopApi | null>(null);

export function useDashboard<T>(selector: (s: DashboardState & DashboardActions) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('StoreContext missing');
  return useStore(store, selector);
}

export function useDashboardStore(): DashboardStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('StoreContext missing');
  return store;
}

export function useApi(): DesktopApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('ApiContext missing');
  return api;
}

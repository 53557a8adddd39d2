// Renderer entry. Picks the bridge (Electron preload's `window.quicether`, else the web bridge
// over a WebSocket), subscribes once, and renders. Nothing here polls.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { DesktopApi } from './bridge.ts';
import { App } from './components/app.tsx';
import { installNavigationGuard } from './guard.ts';
import { applyTheme, loadTheme } from './lib/theme.ts';
import { ApiContext, StoreContext } from './state/context.tsx';
import { createDashboardStore } from './state/store.ts';
import { createWebBridgeClient, wsUrlFor } from './web-bridge-client.ts';
import { TOKEN_PARAM } from './web-wire.ts';
import './styles.css';

installNavigationGuard(window);
applyTheme(loadTheme());

function pickBridge(): DesktopApi {
  const fromPreload = (window as Window & { quicether?: DesktopApi }).quicether;
  if (fromPreload) return fromPreload;
  const url = wsUrlFor(window.location);
  // Keep the token out of the address bar, history and screenshots; the bridge also set a cookie.
  if (new URLSearchParams(window.location.search).has(TOKEN_PARAM))
    history.replaceState(null, '', window.location.pathname);
  return createWebBridgeClient({ url });
}

const api = pickBridge();
const store = createDashboardStore();
api.subscribe((e) => store.getState().apply(e));
void api.getSnapshot().then((r) => {
  if (r.ok && store.getState().snapshot === null)
    store.getState().apply({ kind: 'snapshot', snapshot: r.value });
});

const rootEl = document.getElementById('root');
if (rootEl) {
  createRoot(rootEl).render(
    <StrictMode>
      <ApiContext.Provider value={api}>
        <StoreContext.Provider value={store}>
          <App />
        </StoreContext.Provider>
      </ApiContext.Provider>
    </StrictMode>,
  );
}

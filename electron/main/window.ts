// Edge: the dashboard window, with hardened webPreferences and every way out closed:
// navigation, redirects, popups, webviews and permission prompts.
import { BrowserWindow, shell, type WebPreferences } from 'electron';
import { type AppLocation, allowNavigation, windowOpenDecision } from './logic/sender-check.ts';
import { hardenedWebPreferences } from './logic/web-preferences.ts';

export function createDashboardWindow(
  loc: AppLocation,
  preloadPath: string,
  log: (m: string) => void,
): BrowserWindow {
  const webPreferences: WebPreferences = hardenedWebPreferences(preloadPath);
  const win = new BrowserWindow({
    width: 1180,
    height: 820,
    minWidth: 720,
    minHeight: 520,
    show: false,
    title: 'QuicEther',
    autoHideMenuBar: true,
    backgroundColor: '#0f1419',
    webPreferences,
  });
  const wc = win.webContents;
  wc.setWindowOpenHandler(({ url }) => {
    const d = windowOpenDecision(url);
    if (d.openExternally) void shell.openExternal(url);
    log(`window.open denied: ${url}`);
    return { action: 'deny' };
  });
  const guard = (e: { preventDefault(): void }, url: string) => {
    if (!allowNavigation(url, loc)) {
      e.preventDefault();
      log(`navigation denied: ${url}`);
    }
  };
  wc.on('will-navigate', (e) => guard(e, e.url));
  wc.on('will-frame-navigate', (e) => guard(e, e.url));
  wc.on('will-redirect', (e) => guard(e, e.url));
  wc.on('will-attach-webview', (e) => e.preventDefault());
  win.once('ready-to-show', () => win.show());
  if (loc.kind === 'file') void win.loadFile(loc.indexPath);
  else void win.loadURL(`${loc.origin}/`);
  return win;
}

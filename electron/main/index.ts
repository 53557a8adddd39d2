// Electron main entry. Deliberately thin: lifecycle, wiring and the Electron API calls. All
// decisions live in ./logic/*.ts (tested under Node): tray model, backoff, sender checks,
// coalescing, navigation policy, hardened preferences.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, type BrowserWindow, ipcMain, session } from 'electron';
import { CSP_HEADER } from '../../app/renderer/csp.ts';
import { channelOf } from '../shared/ipc-schema.ts';
import { helperInstalled, openHelper } from './helper-open.ts';
import { systemClock } from './logic/clock.ts';
import { HelperLink } from './logic/helper-link.ts';
import { registerIpcHandlers } from './logic/ipc-router.ts';
import type { AppLocation } from './logic/sender-check.ts';
import type { TrayAction } from './logic/tray-menu.ts';
import { allowPermission } from './logic/web-preferences.ts';
import { AppTray } from './tray.ts';
import { createDashboardWindow } from './window.ts';

// dist/electron/main/index.js → repository (or app.asar) root is three levels up.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const devServer = !app.isPackaged ? process.env.QUICETHER_RENDERER_URL : undefined;
const location: AppLocation = devServer
  ? { kind: 'origin', origin: new URL(devServer).origin }
  : { kind: 'file', indexPath: path.join(root, 'dist/renderer/index.html') };
const preloadPath = path.join(root, 'dist/electron/preload.cjs');
const trayDir = path.join(root, 'resources/tray');
const log = (m: string) => console.log(`[main] ${m}`);

app.enableSandbox();
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  const ownWebContents = new Set<number>();
  let win: BrowserWindow | null = null;
  let tray: AppTray | null = null;
  const link = new HelperLink({
    open: openHelper(app.getVersion()),
    clock: systemClock,
    isInstalled: helperInstalled,
    log,
  });

  const showDashboard = () => {
    if (win && !win.isDestroyed()) {
      if (win.isMinimized()) win.restore();
      win.focus();
      return;
    }
    win = createDashboardWindow(location, preloadPath, log);
    const id = win.webContents.id;
    ownWebContents.add(id);
    win.on('closed', () => {
      ownWebContents.delete(id);
      win = null;
    });
  };

  const onTrayAction = (a: TrayAction) => {
    switch (a.kind) {
      case 'connect':
        return void link.connect();
      case 'disconnect':
        return void link.disconnect();
      case 'open-dashboard':
        return showDashboard();
      case 'set-interface':
        return void link.setInterfaceEnabled(a.name, a.enabled);
      case 'quit':
        return app.quit();
    }
  };

  app.on('second-instance', showDashboard);
  // A tray app stays alive with no window open.
  app.on('window-all-closed', () => {});
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (ev) => ev.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  void app.whenReady().then(() => {
    const ses = session.defaultSession;
    ses.setPermissionRequestHandler((_wc, permission, cb) => cb(allowPermission(permission)));
    ses.setPermissionCheckHandler((_wc, permission) => allowPermission(permission));
    ses.webRequest.onHeadersReceived((details, cb) => {
      cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP_HEADER] } });
    });

    registerIpcHandlers(
      ipcMain,
      {
        getSnapshot: () => link.getSnapshot(),
        connect: () => link.connect(),
        disconnect: () => link.disconnect(),
        setInterfaceEnabled: (name, on) => link.setInterfaceEnabled(name, on),
        setMode: (m) => link.setMode(m),
        setScheduler: (s) => link.setScheduler(s),
      },
      { location, ownWebContents, log },
    );

    tray = new AppTray(trayDir, onTrayAction);
    link.subscribe((event) => {
      if (event.kind === 'snapshot') tray?.update(event.snapshot);
      if (win && !win.isDestroyed()) win.webContents.send(channelOf('subscribe'), event);
    });
    link.start();
    tray.update(link.snapshot);
    if (!process.argv.includes('--hidden')) showDashboard();
  });

  app.on('before-quit', () => {
    link.stop();
    tray?.destroy();
  });
}

// E2E fixture: FAKE helper (FakeHelper behind the real ControlServer, on a private Unix socket)
// → HelperLink over the real ControlClient → web bridge on 127.0.0.1 → headless Chromium.
// Every byte stays on loopback or in a Unix socket; the browser is told to abort anything else.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { ControlClient } from '../../app/protocol/client.ts';
import { type DemoHelper, startDemoHelper } from '../../app/web-bridge/demo-helper.ts';
import { startWebBridge, type WebBridge } from '../../app/web-bridge/server.ts';
import { Backoff } from '../../electron/main/logic/backoff.ts';
import { systemClock } from '../../electron/main/logic/clock.ts';
import { HelperLink } from '../../electron/main/logic/helper-link.ts';

export const REPO = resolve(import.meta.dirname, '../..');
export const RENDERER_DIR = join(REPO, 'dist/renderer');
export const RESULTS_DIR = join(REPO, 'test-results');
export const CHROMIUM = '/usr/bin/chromium';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

/** Builds the renderer when dist/renderer is missing or older than app/renderer. */
export async function ensureRendererBuilt(): Promise<void> {
  const index = join(RENDERER_DIR, 'index.html');
  const src = Math.max(
    newestMtime(join(REPO, 'app/renderer')),
    statSync(join(REPO, 'vite.config.ts')).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= src) return;
  const { build } = await import('vite');
  await build({ configFile: join(REPO, 'vite.config.ts'), logLevel: 'error' });
}

export interface Stack {
  demo: DemoHelper;
  link: HelperLink;
  bridge: WebBridge;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const demo = await startDemoHelper({ connectDelayMs: 200 });
  const link = new HelperLink({
    open: () => ControlClient.connect({ socketPath: demo.socketPath, clientName: 'e2e', timeoutMs: 3_000 }),
    clock: systemClock,
    // Short backoff so "helper comes back" is seen quickly; still bounded.
    backoff: new Backoff({ baseMs: 100, maxMs: 800, jitter: 0 }),
    watchIntervalMs: 250,
  });
  link.start();
  const bridge = await startWebBridge({ api: link, staticDir: RENDERER_DIR });
  return {
    demo,
    link,
    bridge,
    close: async () => {
      link.stop();
      await bridge.close();
      await demo.dispose();
    },
  };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(colorScheme: 'dark' | 'light' = 'dark'): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'qe-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
    colorScheme,
  });
  // Network rule: loopback only. Anything else is aborted before it leaves the browser.
  await context.route(/.*/, (route) => {
    const u = new URL(route.request().url());
    if (u.protocol === 'data:' || u.hostname === '127.0.0.1' || u.hostname === 'localhost')
      return route.continue();
    return route.abort();
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

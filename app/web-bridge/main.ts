// `quicether-dashboard`: serves the dashboard on 127.0.0.1 for the user who runs it, relaying to
// the helper's control socket with that user's own rights.
//
//   node --import tsx app/web-bridge/main.ts [--socket PATH] [--port N] [--static DIR] [--demo]
//
// --demo runs an in-process FAKE helper instead of connecting to a real one.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { systemClock } from '../../electron/main/logic/clock.ts';
import { HelperLink } from '../../electron/main/logic/helper-link.ts';
import { ControlClient } from '../protocol/client.ts';
import { resolveSocketPath } from '../protocol/version.ts';
import { type DemoHelper, startDemoHelper } from './demo-helper.ts';
import { startWebBridge } from './server.ts';

const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      socket: { type: 'string' },
      port: { type: 'string', default: '0' },
      static: { type: 'string' },
      demo: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be 0..65535');
  const staticDir = values.static ?? resolve(here, '../../dist/renderer');
  if (!existsSync(join(staticDir, 'index.html')))
    throw new Error(`no renderer build at ${staticDir}: run \`npx vite build\` first`);

  let demo: DemoHelper | null = null;
  if (values.demo) demo = await startDemoHelper();
  const socketPath = demo ? demo.socketPath : resolveSocketPath(values.socket);
  const log = values.quiet ? () => {} : (m: string) => console.error(`[web-bridge] ${m}`);

  const link = new HelperLink({
    open: () =>
      ControlClient.connect({ socketPath, clientName: 'quicether-dashboard/0.1.0', timeoutMs: 5_000 }),
    clock: systemClock,
    log,
  });
  link.start();
  const bridge = await startWebBridge({ api: link, staticDir, port, log });
  // The URL carries the token: print it on stdout only (not in the log), for the user to open.
  console.log(bridge.url);

  const shutdown = async () => {
    link.stop();
    await bridge.close();
    await demo?.dispose();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

main().catch((e: unknown) => {
  console.error(`quicether-dashboard: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

#!/usr/bin/env node
// `npm start`: the desktop app. Builds what is missing (main with tsc, the renderer with vite, the
// sandboxed preload with esbuild) and launches Electron on package.json "main"
// (dist/electron/main/index.js). Where the Electron binary is absent (installed with
// ELECTRON_SKIP_BINARY_DOWNLOAD, as on CI and headless machines) it says so and exits 1.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The Electron executable, or null when the package or its downloaded binary is missing. */
function electronBinary() {
  try {
    const p = require('electron');
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

const electron = electronBinary();
if (!electron) {
  console.error(
    'QuicEther: Electron is not installed here: its binary is missing, as after an install with ' +
      'ELECTRON_SKIP_BINARY_DOWNLOAD set (CI and headless machines). On a desktop, install it with ' +
      '`npm install electron` (with ELECTRON_SKIP_BINARY_DOWNLOAD unset), then run `npm start` again. ' +
      'On a headless machine, `sudo npm run demo` runs two real helpers in a network-namespace lab ' +
      'with the same dashboard served on 127.0.0.1 for a browser.',
  );
  process.exit(1);
}
if (process.getuid?.() === 0) {
  console.error(
    'QuicEther: run `npm start` as your desktop user, not root (Electron refuses to run its sandbox ' +
      'as root; only the helper needs privileges).',
  );
  process.exit(1);
}

const main = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).main;
const node = process.execPath;
const steps = [
  [main, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']],
  ['dist/renderer/index.html', [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn']],
  ['dist/electron/preload.cjs', ['--import', 'tsx', 'electron/build/build-preload.ts']],
];
for (const [output, args] of steps) {
  if (existsSync(join(root, output))) continue;
  console.log(`QuicEther: building ${output}…`);
  const r = spawnSync(node, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(join(root, output))) {
    console.error(`QuicEther: building ${output} failed; fix the errors above and run \`npm start\` again.`);
    process.exit(1);
  }
}

const app = spawn(electron, [root], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => app.kill(sig));
app.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

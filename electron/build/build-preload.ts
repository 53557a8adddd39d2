// Builds the sandboxed preload to CommonJS: dist/electron/preload.cjs.
//
// Why a separate step: a sandboxed preload cannot be an ES module and can `require` only
// `electron` (plus a few polyfilled built-ins), so it is bundled into one CJS file with
// `electron` left external. esbuild is the one vite already ships; this takes well under a
// second. Run: node --import tsx electron/build/build-preload.ts
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const outfile = join(root, 'dist/electron/preload.cjs');

await build({
  entryPoints: [join(root, 'electron/preload/index.ts')],
  outfile,
  bundle: true,
  format: 'cjs',
  // 'browser': a sandboxed preload has no Node built-ins; bundling for node could pull them in.
  platform: 'browser',
  target: 'chrome130',
  external: ['electron'],
  sourcemap: false,
  minify: false,
  legalComments: 'none',
  logLevel: 'warning',
});

// Guard: the bundle may require nothing but electron.
const code = readFileSync(outfile, 'utf8');
const requires = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
const foreign = requires.filter((r) => r !== 'electron');
if (foreign.length > 0) {
  console.error(`preload requires ${foreign.join(', ')}: a sandboxed preload may only require electron`);
  process.exit(1);
}
console.log(`built ${outfile} (${code.length} bytes)`);

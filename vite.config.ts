// Renderer build: app/renderer → dist/renderer. No React plugin: esbuild's automatic JSX runtime
// is all we need (no fast refresh in production, and one dependency less). `base: './'` makes the
// output loadable from file:// inside Electron as well as from the web bridge.
import { fileURLToPath } from 'node:url';
import { type Plugin, defineConfig } from 'vite';
import { CSP_META } from './app/renderer/csp.ts';

const root = fileURLToPath(new URL('./app/renderer/', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/renderer/', import.meta.url));

/** Writes the one CSP (app/renderer/csp.ts) into index.html's <meta> tag. */
function cspMeta(): Plugin {
  return {
    name: 'quicether-csp-meta',
    transformIndexHtml: (html) => html.replace('content="%CSP%"', `content="${CSP_META}"`),
  };
}

export default defineConfig({
  root,
  base: './',
  publicDir: false,
  plugins: [cspMeta()],
  esbuild: { jsx: 'automatic', jsxImportSource: 'react' },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: false,
    reportCompressedSize: false,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
  server: { host: '127.0.0.1', strictPort: true, port: 5173 },
  logLevel: 'warn',
});

// Serves the built renderer (dist/renderer) read-only. Only files under the root, only GET/HEAD,
// only known types; everything is read once at start (the bundle is a few files), so a request
// can never reach the file system.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
  /** Hashed asset names never change content: cache them; index.html never. */
  readonly immutable: boolean;
}

/** Loads every servable file under `root` into memory, keyed by URL path ("/assets/x.js"). */
export function loadStaticFiles(root: string): Map<string, StaticFile> {
  const out = new Map<string, StaticFile>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else {
        const type = TYPES[extname(name).toLowerCase()];
        if (!type) continue;
        const urlPath = `/${relative(root, p).split(sep).join('/')}`;
        out.set(urlPath, { body: readFileSync(p), type, immutable: urlPath.startsWith('/assets/') });
      }
    }
  };
  walk(root);
  if (!out.has('/index.html'))
    throw new Error(`no index.html under ${root}: run the renderer build (vite build) first`);
  return out;
}

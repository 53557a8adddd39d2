// Finds the CLI for the two launchers (quicether.js, quicether-helper.js). In a checkout the
// TypeScript sources are there and run through tsx (a dev dependency); a packaged build ships
// only the compiled dist/app/** (electron-builder.yml leaves out every .ts file), so it runs
// that with plain Node or Electron as Node, and never loads tsx.
import { existsSync } from 'node:fs';

export async function loadCli() {
  const source = new URL('../app/cli/main.ts', import.meta.url);
  if (existsSync(source)) {
    const { register } = await import('tsx/esm/api');
    register();
    return import(source.href);
  }
  return import(new URL('../dist/app/cli/main.js', import.meta.url).href);
}

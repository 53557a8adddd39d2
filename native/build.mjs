#!/usr/bin/env node
// Builds native/build/Release/quicether.node offline.
//
// node-gyp downloads Node's headers unless it is told where they are (`--nodedir`). Node 20 from
// the distribution packages ships them under <prefix>/include/node, so we point node-gyp there
// when node_api.h exists. node-gyp itself is the copy bundled with npm (never fetched).
// Usage: node native/build.mjs   (exit code = node-gyp's; prints why on failure)
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const prefix = resolve(dirname(realpathSync(process.execPath)), '..');

function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  if (process.env.npm_execpath) candidates.push(join(dirname(process.env.npm_execpath), '../node_modules/node-gyp/bin/node-gyp.js'));
  candidates.push(join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'));
  candidates.push(join(here, '../node_modules/node-gyp/bin/node-gyp.js'));
  return candidates.find((p) => existsSync(p));
}

const gyp = findNodeGyp();
if (!gyp) {
  console.error('quicether native build: node-gyp not found (looked beside npm and in node_modules)');
  process.exit(1);
}
const args = [gyp, 'rebuild', '--directory', here];
const nodedir = process.env.npm_config_nodedir || (existsSync(join(prefix, 'include/node/node_api.h')) ? prefix : '');
if (nodedir) args.push(`--nodedir=${nodedir}`);
else console.error('quicether native build: no local Node headers found; node-gyp will try to download them');
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);

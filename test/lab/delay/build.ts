// Builds nfq-delay.c on demand into the repo's git-ignored .lab/build/, cached by a hash of the
// source and flags, so a fresh clone needs only a C compiler (the program uses the kernel's uapi
// headers directly: no libnetfilter_queue or libmnl). Safe when several test processes build at
// once: each compiles to its own temporary name and renames it into place atomically.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../exec.ts';

const SOURCE = fileURLToPath(new URL('./nfq-delay.c', import.meta.url));
const BUILD_DIR = fileURLToPath(new URL('../../../.lab/build/', import.meta.url));
const CFLAGS = ['-O2', '-Wall', '-Wextra', '-std=gnu11'];

let building: Promise<string> | null = null;

/** Returns the path of the compiled nfq-delay binary, compiling it first if needed. */
export function nfqDelayBinary(): Promise<string> {
  building ??= build().catch((e: unknown) => {
    building = null; // let a later call retry (e.g. after installing a compiler)
    throw e;
  });
  return building;
}

async function build(): Promise<string> {
  const src = await readFile(SOURCE);
  const hash = createHash('sha256').update(src).update(CFLAGS.join(' ')).digest('hex').slice(0, 16);
  const out = join(BUILD_DIR, `nfq-delay-${hash}`);
  if (await isExecutable(out)) return out;
  await mkdir(BUILD_DIR, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    await run('cc', [...CFLAGS, '-o', tmp, SOURCE], 60_000);
    await rename(tmp, out);
    await pruneStale(out).catch(() => {}); // housekeeping only
  } catch (e) {
    await rm(tmp, { force: true });
    throw new Error(
      `building nfq-delay failed (needs a C compiler: apt-get install gcc libc6-dev): ${String(e)}`,
    );
  }
  return out;
}

async function isExecutable(p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Removes binaries built from older versions of the source (a running one keeps its inode). */
async function pruneStale(current: string): Promise<void> {
  for (const name of await readdir(BUILD_DIR)) {
    const p = join(BUILD_DIR, name);
    if (p !== current && /^nfq-delay-[0-9a-f]{16}$/.test(name)) await rm(p, { force: true });
  }
}

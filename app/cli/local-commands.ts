// Commands that do not talk to a running helper: `start` (becomes the helper) and `keygen`.
// Both load their implementation lazily, so `quicether status` works on a machine (or build)
// where the helper's data plane or the identity code cannot load.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Ctx } from './context.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';

/** Options handed to the helper's runHelper (app/helper/main.ts). */
export interface StartOptions {
  configPath?: string;
  interfaces?: string[];
  multipath?: string;
  socketPath: string;
}

type HelperModule = { runHelper?: (o: StartOptions) => Promise<unknown> };
type IdentityModule = {
  generateIdentity?: () => Promise<{ nodeId: string }>;
  saveIdentity?: (dir: string, id: { nodeId: string }) => Promise<void>;
};

/** `.ts` when this file runs from the sources (tsx), `.js` in the compiled build (dist/). */
const MODULE_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/**
 * Imports a sibling module by URL (a variable specifier: the CLI type-checks without it), given
 * without extension: the sources and the compiled build name their files differently.
 */
async function load<T>(relative: string): Promise<T | null> {
  const path = `${relative}${MODULE_EXT}`;
  try {
    return (await import(new URL(path, import.meta.url).href)) as T;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(path.replace('../', '')))
      return null;
    throw e;
  }
}

export async function runStart(
  ctx: Ctx,
  opts: { config?: string; interfaces?: string[]; multipath?: string },
): Promise<ExitCode> {
  const mod = await load<HelperModule>('../helper/main');
  if (!mod?.runHelper) {
    ctx.io.err(
      `quicether: this build has no helper (app/helper/main${MODULE_EXT} with runHelper is missing)`,
    );
    return EXIT.error;
  }
  const options: StartOptions = { socketPath: ctx.socketPath };
  if (opts.config !== undefined) options.configPath = opts.config;
  if (opts.interfaces !== undefined) options.interfaces = opts.interfaces;
  if (opts.multipath !== undefined) options.multipath = opts.multipath;
  try {
    await mod.runHelper(options);
    return EXIT.ok;
  } catch (e) {
    ctx.io.err(`quicether: the helper stopped: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.error;
  }
}

export function defaultIdentityDir(env: NodeJS.ProcessEnv): string {
  if (process.getuid?.() === 0) return '/etc/quicether';
  const base =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'quicether');
}

export async function runKeygen(
  ctx: Ctx,
  opts: { out?: string; force?: boolean },
  env: NodeJS.ProcessEnv,
): Promise<ExitCode> {
  const mod = await load<IdentityModule>('../helper/identity/index');
  if (!mod?.generateIdentity || !mod.saveIdentity) {
    ctx.io.err('quicether: this build has no identity module (app/helper/identity)');
    return EXIT.error;
  }
  const dir = opts.out ?? defaultIdentityDir(env);
  if (!opts.force && existsSync(join(dir, 'node.key'))) {
    ctx.io.err(
      `quicether: an identity already exists in ${dir} (use --force to replace it; peers that know the old NodeId will refuse the new one)`,
    );
    return EXIT.error;
  }
  const id = await mod.generateIdentity();
  await mod.saveIdentity(dir, id);
  if (ctx.json) ctx.io.out(JSON.stringify({ nodeId: id.nodeId, dir }));
  else ctx.io.out(`${id.nodeId}\n(key and certificate written to ${dir})`);
  return EXIT.ok;
}

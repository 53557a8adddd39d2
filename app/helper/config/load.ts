// Reads and parses the helper's config file.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from './errors.ts';
import { parseConfig } from './parse.ts';
import type { Config } from './types.ts';

/** Largest config file we read; a real one is a few KiB, so anything bigger is a wrong path. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Loads `path` (relative paths resolve against the working directory). Relative key/cert/identity
 * paths inside the file resolve against the file's own directory. Throws ConfigError only.
 */
export async function loadConfig(path: string): Promise<Config> {
  const file = resolve(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : String(e);
    throw new ConfigError(file, [{ key: '', message: `cannot read config: ${why}` }]);
  }
  if (bytes.length > MAX_CONFIG_BYTES) {
    throw new ConfigError(file, [
      { key: '', message: `config is ${bytes.length} bytes; the limit is ${MAX_CONFIG_BYTES}` },
    ]);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError(file, [{ key: '', message: 'config is not valid UTF-8' }]);
  }
  return parseConfig(text, file);
}

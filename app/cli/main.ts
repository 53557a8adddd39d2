// Entry point of `quicether` (bin/quicether.js runs this file). Runs the CLI on process.argv and
// exits with its code; all logic lives in program.ts so tests can call runCli directly.
import { pathToFileURL } from 'node:url';
import type { Io } from './context.ts';
import { runCli } from './program.ts';

export { EXIT } from './exit-codes.ts';
export { runCli } from './program.ts';

export function processIo(): Io {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    write: (text) => process.stdout.write(text),
    err: (line) => process.stderr.write(`${line}\n`),
    isTTY: process.stdout.isTTY === true,
  };
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const code = await runCli(argv, processIo());
  // Let stdout flush, then exit: an open handle (e.g. a helper started by `start`) is done by now.
  process.exitCode = code;
  if (code !== 0 || argv[0] !== 'start') setImmediate(() => process.exit(code));
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  void main();
}

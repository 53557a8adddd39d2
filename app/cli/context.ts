// What every CLI command gets: where the helper is, whether to print JSON, and where to write.
// Writing goes through `out`/`err` (not console) so tests can run commands in-process.
import { existsSync } from 'node:fs';
import { ControlClient } from '../protocol/client.ts';
import { ControlError } from '../protocol/errors.ts';
import { EXIT, type ExitCode, exitCodeFor } from './exit-codes.ts';

export interface Io {
  /** Writes one line to stdout (a newline is appended). */
  out(line: string): void;
  /** Writes raw text to stdout (ANSI redraws). */
  write(text: string): void;
  /** Writes one line to stderr. */
  err(line: string): void;
  /** True when stdout is a terminal (enables the redrawing watch view). */
  isTTY: boolean;
}

export interface Ctx {
  socketPath: string;
  json: boolean;
  io: Io;
}

export const CLI_NAME = 'quicether-cli/0.1.0';
export const START_HINT = 'sudo quicether start --config /etc/quicether/config.toml';

export async function withClient(ctx: Ctx, fn: (c: ControlClient) => Promise<ExitCode>): Promise<ExitCode> {
  let client: ControlClient | null = null;
  try {
    client = await ControlClient.connect({ socketPath: ctx.socketPath, clientName: CLI_NAME });
    return await fn(client);
  } catch (e) {
    return reportError(ctx, e);
  } finally {
    client?.close();
  }
}

/** Prints one clear sentence for an error and returns its exit code. */
export function reportError(ctx: Ctx, e: unknown): ExitCode {
  if (!(e instanceof ControlError)) {
    ctx.io.err(`quicether: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.error;
  }
  const sentence = describe(ctx, e);
  if (ctx.json) ctx.io.err(JSON.stringify({ error: { code: e.code, message: sentence } }));
  else ctx.io.err(`quicether: ${sentence}`);
  return exitCodeFor(e.code);
}

function describe(ctx: Ctx, e: ControlError): string {
  switch (e.code) {
    case 'not_running': {
      const why = existsSync(ctx.socketPath)
        ? `nothing is listening on ${ctx.socketPath}`
        : `no socket at ${ctx.socketPath}`;
      return `the helper is not running (${why}). Start it with: ${START_HINT}`;
    }
    case 'permission_denied':
      return `permission denied: ${e.message}`;
    case 'version_mismatch': {
      const range = e.supported ? `${e.supported.min}..${e.supported.max}` : 'another version';
      return `this CLI speaks a control protocol the helper does not accept (helper accepts ${range}); update quicether so both match`;
    }
    default:
      return e.message;
  }
}

/** Prints a value as JSON (one line) or as text. */
export function print(ctx: Ctx, value: unknown, text: () => string): void {
  ctx.io.out(ctx.json ? JSON.stringify(value) : text());
}

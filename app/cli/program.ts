// The `quicether` command line: commander definitions. Every verb except `start` and `keygen`
// is a client of the helper's control socket; each action returns an exit code (exit-codes.ts).
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { ControlClient } from '../protocol/client.ts';
import { ControlError } from '../protocol/errors.ts';
import type { PathSample, Status } from '../protocol/schema.ts';
import { InterfaceNameSchema, ModeSchema, SchedulerNameSchema } from '../protocol/schema.ts';
import { MAX_WATCH_INTERVAL_MS, MIN_WATCH_INTERVAL_MS, resolveSocketPath } from '../protocol/version.ts';
import { type Ctx, type Io, print, reportError, withClient } from './context.ts';
import { EXIT, EXIT_HELP, type ExitCode } from './exit-codes.ts';
import { formatInterfaces, formatPaths, formatPeers, formatStatus } from './format.ts';
import { runKeygen, runStart } from './local-commands.ts';
import { runWatch } from './watch-command.ts';

type Globals = { socket?: string; json?: boolean };

function intInRange(name: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

function interfaceList(v: string): string[] {
  const names = v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const n of names)
    if (!InterfaceNameSchema.safeParse(n).success)
      throw new InvalidArgumentError(`"${n}" is not an interface name`);
  if (names.length === 0) throw new InvalidArgumentError('give at least one interface');
  return names;
}

function interfaceName(v: string): string {
  if (!InterfaceNameSchema.safeParse(v).success)
    throw new InvalidArgumentError(`"${v}" is not an interface name`);
  return v;
}

/** Local (non-socket) commands, injectable so tests can check parsing without starting a helper. */
export interface LocalCommands {
  start: typeof runStart;
  keygen: typeof runKeygen;
}

export function buildProgram(
  io: Io,
  env: NodeJS.ProcessEnv,
  setCode: (c: ExitCode) => void,
  local: LocalCommands = { start: runStart, keygen: runKeygen },
): Command {
  const ctxOf = (cmd: Command): Ctx => {
    const g = cmd.optsWithGlobals<Globals>();
    return { socketPath: resolveSocketPath(g.socket, env), json: g.json === true, io };
  };
  /** Wraps an action that talks to the helper. */
  const remote =
    <A extends unknown[]>(fn: (ctx: Ctx, client: ControlClient, ...args: A) => Promise<ExitCode>) =>
    async (...args: unknown[]): Promise<void> => {
      const cmd = args[args.length - 1] as Command;
      const ctx = ctxOf(cmd);
      setCode(await withClient(ctx, (c) => fn(ctx, c, ...(args.slice(0, -1) as A))));
    };

  const program = new Command('quicether')
    .description('QuicEther: one tunnel over every network at once. Control the local helper.')
    .version('0.1.0')
    .option(
      '--socket <path>',
      'control socket of the helper (default $QUICETHER_SOCKET or /run/quicether/helper.sock)',
    )
    .option('--json', 'machine-readable output (one JSON value per line)')
    .showHelpAfterError('(run quicether --help for usage)')
    .addHelpText('after', `\n${EXIT_HELP}`)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.write(s),
      writeErr: (s) => io.err(s.replace(/\n$/, '')),
    });

  program
    .command('start')
    .description('run the helper in the foreground (needs root or CAP_NET_ADMIN)')
    .option('--config <path>', 'configuration file (TOML)')
    .option('--interfaces <list>', 'comma-separated interfaces to use, e.g. wlan0,wwan0', interfaceList)
    .addOption(new Option('--multipath <mode>', 'multipath mode').choices(ModeSchema.options))
    .action(async (opts: { config?: string; interfaces?: string[]; multipath?: string }, cmd: Command) => {
      setCode(await local.start(ctxOf(cmd), opts));
    });

  program
    .command('status')
    .description('session state (target and actual), mode, scheduler')
    .action(
      remote(async (ctx, c) => {
        const s = await c.request('status', {});
        print(ctx, s, () => formatStatus(s, { role: c.role, protocol: c.protocolVersion }));
        return EXIT.ok;
      }),
    );

  program
    .command('connect')
    .description('set the target state to connected (returns at once; see status/watch)')
    .action(remote(async (ctx, c) => statusAfter(ctx, c, await c.request('connect', {}))));

  program
    .command('disconnect')
    .description('set the target state to disconnected')
    .action(remote(async (ctx, c) => statusAfter(ctx, c, await c.request('disconnect', {}))));

  program
    .command('paths')
    .description('per-path RTT, loss, throughput, share and congestion window (one sample)')
    .action(
      remote(async (ctx, c) => {
        const paths = await new Promise<PathSample[]>((resolve, reject) => {
          c.watch(MAX_WATCH_INTERVAL_MS, (e) => {
            if (e.kind === 'snapshot') resolve(e.sample.paths);
          }).catch(reject);
        });
        print(ctx, paths, () => formatPaths(paths));
        return EXIT.ok;
      }),
    );

  const iface = program
    .command('iface')
    .description('list, enable or disable network interfaces for the tunnel');
  iface
    .command('list', { isDefault: true })
    .description('interfaces with kind, link state, addresses, enabled, metered')
    .action(
      remote(async (ctx, c) => {
        const list = await c.request('listInterfaces', {});
        print(ctx, list, () => formatInterfaces(list));
        return EXIT.ok;
      }),
    );
  for (const verb of ['enable', 'disable'] as const) {
    iface
      .command(verb)
      .description(`${verb} the tunnel on one interface`)
      .addArgument(new Argument('<name>', 'interface name, e.g. wlan0').argParser(interfaceName))
      .action(
        remote(async (ctx, c, name: string) => {
          const i = await c.request('setInterfaceEnabled', { name, enabled: verb === 'enable' });
          print(ctx, i, () => `${i.name}: ${i.enabled ? 'enabled' : 'disabled'}`);
          return EXIT.ok;
        }),
      );
  }

  program
    .command('mode')
    .description('set the multipath mode')
    .addArgument(new Argument('<name>', 'multipath mode').choices(ModeSchema.options))
    .action(
      remote(async (ctx, c, mode: string) =>
        statusAfter(ctx, c, await c.request('setMode', { mode: ModeSchema.parse(mode) })),
      ),
    );

  program
    .command('scheduler')
    .description('set the packet scheduler')
    .addArgument(new Argument('<name>', 'scheduler').choices(SchedulerNameSchema.options))
    .action(
      remote(async (ctx, c, name: string) =>
        statusAfter(ctx, c, await c.request('setScheduler', { scheduler: SchedulerNameSchema.parse(name) })),
      ),
    );

  program
    .command('peers')
    .description('configured peers, their endpoints, routes and connection state')
    .action(
      remote(async (ctx, c) => {
        const list = await c.request('listPeers', {});
        print(ctx, list, () => formatPeers(list));
        return EXIT.ok;
      }),
    );

  program
    .command('watch')
    .description('live per-path statistics (redraws in place; --json gives one JSON object per line)')
    .option(
      '--interval <ms>',
      `sampling interval in ms (${MIN_WATCH_INTERVAL_MS}..${MAX_WATCH_INTERVAL_MS})`,
      intInRange('--interval', MIN_WATCH_INTERVAL_MS, MAX_WATCH_INTERVAL_MS),
      1000,
    )
    .option('--count <n>', 'stop after n samples', intInRange('--count', 1, 1_000_000))
    .action(
      remote(async (ctx, c, opts: { interval: number; count?: number }) =>
        runWatch(
          ctx,
          c,
          opts.count === undefined
            ? { intervalMs: opts.interval }
            : { intervalMs: opts.interval, count: opts.count },
        ),
      ),
    );

  program
    .command('keygen')
    .description("create this node's identity (key + certificate) and print its NodeId")
    .option(
      '--out <dir>',
      'directory for node.key and node.crt (default /etc/quicether as root, else ~/.config/quicether)',
    )
    .option('--force', 'replace an existing identity')
    .action(async (opts: { out?: string; force?: boolean }, cmd: Command) => {
      setCode(await local.keygen(ctxOf(cmd), opts, env));
    });

  return program;
}

function statusAfter(ctx: Ctx, c: ControlClient, s: Status): Promise<ExitCode> {
  print(ctx, s, () => formatStatus(s, { role: c.role, protocol: c.protocolVersion }));
  return Promise.resolve(EXIT.ok);
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function runCli(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
  local?: LocalCommands,
): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  const program = buildProgram(
    io,
    env,
    (c) => {
      code = c;
    },
    local,
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (e instanceof ControlError)
      return reportError({ socketPath: resolveSocketPath(undefined, env), json: false, io }, e);
    io.err(`quicether: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.error;
  }
  return code;
}

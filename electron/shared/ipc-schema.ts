// The one schema of the main↔renderer hop (STYLE rule 3, after Mullvad's ipc-schema.ts). Both
// sides are derived from it: main registers one handler per `invoke` entry (ipc-router.ts), the
// preload builds the renderer's API from it (renderer-api.ts), and the type checker proves the
// derived API is exactly app/renderer/bridge.ts's DesktopApi.
//
// Channels are `quicether:<key>`. Requests carry a tuple of arguments that main validates with
// the entry's `validate` before anything else (the renderer is not trusted); every request
// answers a Result ({ok:true,value} | {ok:false,error:{code,message}}) and never rejects.
// `event` entries flow main → renderer only.
//
// No zod here: this file is bundled into the sandboxed preload, which should stay tiny.
import type { BridgeEvent, Mode, Scheduler, Snapshot } from '../../app/renderer/model.ts';

export interface InvokeEntry<Args extends readonly unknown[], Res> {
  readonly kind: 'invoke';
  readonly validate: (args: readonly unknown[]) => args is Args;
  /** Phantom: carries the result type; never set. */
  readonly _res?: Res;
}

export interface EventEntry<T> {
  readonly kind: 'event';
  readonly _payload?: T;
}

function invoke<Args extends readonly unknown[], Res>(
  validate: (args: readonly unknown[]) => args is Args,
): InvokeEntry<Args, Res> {
  return { kind: 'invoke', validate };
}
function event<T>(): EventEntry<T> {
  return { kind: 'event' };
}

const MODES: readonly string[] = ['disable', 'aggregate', 'failover'] satisfies readonly Mode[];
const SCHEDULERS: readonly string[] = [
  'round-robin',
  'weighted',
  'latency',
  'redundant',
] satisfies readonly Scheduler[];
/** Same rule as the helper's InterfaceNameSchema: never a path, never a shell fragment. */
const IFNAME = /^[A-Za-z0-9_.:@-]{1,15}$/;

const noArgs = (a: readonly unknown[]): a is [] => a.length === 0;

export const ipcSchema = {
  getSnapshot: invoke<[], Snapshot>(noArgs),
  connect: invoke<[], null>(noArgs),
  disconnect: invoke<[], null>(noArgs),
  setInterfaceEnabled: invoke<[name: string, on: boolean], null>(
    (a): a is [string, boolean] =>
      a.length === 2 && typeof a[0] === 'string' && IFNAME.test(a[0]) && typeof a[1] === 'boolean',
  ),
  setMode: invoke<[mode: Mode], null>(
    (a): a is [Mode] => a.length === 1 && typeof a[0] === 'string' && MODES.includes(a[0]),
  ),
  setScheduler: invoke<[scheduler: Scheduler], null>(
    (a): a is [Scheduler] => a.length === 1 && typeof a[0] === 'string' && SCHEDULERS.includes(a[0]),
  ),
  /** Main → renderer: every snapshot change and (rate-limited) stats sample. */
  subscribe: event<BridgeEvent>(),
} as const;

export type IpcSchema = typeof ipcSchema;
export type ChannelKey = keyof IpcSchema;

export const CHANNEL_PREFIX = 'quicether:';
export const channelOf = (key: ChannelKey): string => `${CHANNEL_PREFIX}${key}`;

/** Error codes produced by the IPC layer itself. */
export type IpcErrorCode = 'forbidden' | 'bad_request' | 'internal';

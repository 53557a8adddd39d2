// The closed set of verbs the helper answers. Both sides derive their API from this table: the
// server validates params with `params` and checks `admin`, the client validates answers with
// `result`. No verb takes a path, a script or a command (SECURITY S2).
//
// Params are strict objects: an unknown field means the client expects behaviour this helper
// does not have, so it fails loudly ('bad_request') instead of being silently ignored.
import { z } from 'zod';
import {
  InterfaceInfoSchema,
  InterfaceNameSchema,
  ModeSchema,
  PeerInfoSchema,
  SchedulerNameSchema,
  StatusSchema,
} from './model.ts';
import { MAX_WATCH_INTERVAL_MS, MIN_WATCH_INTERVAL_MS } from './version.ts';

const NoParams = z.strictObject({});

export const WatchIdSchema = z
  .int()
  .positive()
  .max(2 ** 31);

export const methods = {
  /** Current target and actual state. */
  status: { admin: false, params: NoParams, result: StatusSchema },
  /** Set target state to connected; returns at once with the actual state (usually 'connecting'). */
  connect: { admin: true, params: NoParams, result: StatusSchema },
  /** Set target state to disconnected. */
  disconnect: { admin: true, params: NoParams, result: StatusSchema },
  listInterfaces: { admin: false, params: NoParams, result: z.array(InterfaceInfoSchema).max(1024) },
  setInterfaceEnabled: {
    admin: true,
    params: z.strictObject({ name: InterfaceNameSchema, enabled: z.boolean() }),
    result: InterfaceInfoSchema,
  },
  setMode: { admin: true, params: z.strictObject({ mode: ModeSchema }), result: StatusSchema },
  setScheduler: {
    admin: true,
    params: z.strictObject({ scheduler: SchedulerNameSchema }),
    result: StatusSchema,
  },
  listPeers: { admin: false, params: NoParams, result: z.array(PeerInfoSchema).max(4096) },
  /**
   * Subscribe to statistics: the helper first sends a `snapshot` event, then one `sample` event
   * per interval. A slow reader gets the latest sample only (never a backlog).
   */
  watch: {
    admin: false,
    params: z.strictObject({ intervalMs: z.int().min(MIN_WATCH_INTERVAL_MS).max(MAX_WATCH_INTERVAL_MS) }),
    result: z.looseObject({ watchId: WatchIdSchema }),
  },
  unwatch: { admin: false, params: z.strictObject({ watchId: WatchIdSchema }), result: z.looseObject({}) },
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type ParamsOf<M extends MethodName> = z.input<Methods[M]['params']>;
export type ResultOf<M extends MethodName> = z.output<Methods[M]['result']>;

export const METHOD_NAMES = Object.keys(methods) as MethodName[];

export function isMethodName(s: string): s is MethodName {
  return Object.hasOwn(methods, s);
}

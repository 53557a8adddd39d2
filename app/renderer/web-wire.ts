// Envelope of the web dashboard's WebSocket (web-bridge-client.ts ↔ app/web-bridge). The verbs
// and their argument checks are the same as the Electron hop's (electron/shared/ipc-schema.ts):
// the server validates with that schema; this file only adds the framing around it.
//
//   client ── {type:'call', id, method, args} ──► server
//   client ◄── {type:'reply', id, result}      ── server      result: Result<T>, never an exception
//   client ◄── {type:'event', event}           ── server      first event is always a snapshot
import type { Result } from './bridge.ts';
import type { BridgeEvent } from './model.ts';

export type WireMethod =
  | 'getSnapshot'
  | 'connect'
  | 'disconnect'
  | 'setInterfaceEnabled'
  | 'setMode'
  | 'setScheduler';

export interface CallMessage {
  readonly type: 'call';
  readonly id: number;
  readonly method: WireMethod;
  readonly args: readonly unknown[];
}

export type ServerMessage =
  | { readonly type: 'reply'; readonly id: number; readonly result: Result<unknown> }
  | { readonly type: 'event'; readonly event: BridgeEvent };

export const WS_PATH = '/ws';
export const TOKEN_PARAM = 'token';
/** Largest message either side accepts (a call is tiny; a snapshot of many interfaces is not). */
export const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;

// The one interface between the UI and whatever drives it. Implemented by the Electron preload
// (over IPC, see electron/shared/ipc-schema.ts) and by web-bridge-client.ts (over a WebSocket to
// the web bridge). The renderer never polls: it gets one snapshot, then subscribes.
import type { BridgeEvent, Mode, Scheduler, Snapshot } from './model.ts';

/** Stable error codes a bridge call may fail with (helper codes pass through as strings). */
export type BridgeErrorCode =
  | 'helper_down'
  | 'bad_request'
  | 'forbidden'
  | 'permission_denied'
  | 'timeout'
  | 'internal'
  | (string & {});

export interface BridgeError {
  readonly code: BridgeErrorCode;
  readonly message: string;
}

/** Every request returns a tagged result; it never rejects. */
export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: BridgeError };

export type Unsubscribe = () => void;

export interface DesktopApi {
  getSnapshot(): Promise<Result<Snapshot>>;
  /** Calls `cb` for every change until the returned function is called. */
  subscribe(cb: (event: BridgeEvent) => void): Unsubscribe;
  connect(): Promise<Result<null>>;
  disconnect(): Promise<Result<null>>;
  setInterfaceEnabled(name: string, on: boolean): Promise<Result<null>>;
  setMode(mode: Mode): Promise<Result<null>>;
  setScheduler(scheduler: Scheduler): Promise<Result<null>>;
}

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: BridgeErrorCode, message: string): Result<never> => ({
  ok: false,
  error: { code, message },
});

// Builds the renderer's API object from the schema. Runs in the preload (ipcRenderer injected),
// so it is plain code and unit-testable under Node with a fake ipcRenderer.
import type { Result } from '../../app/renderer/bridge.ts';
import type { RendererApi } from './derive.ts';
import { type ChannelKey, channelOf, type IpcSchema, ipcSchema } from './ipc-schema.ts';

/** The slice of Electron's ipcRenderer the preload uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

function toResult(v: unknown): Result<unknown> {
  if (typeof v === 'object' && v !== null && 'ok' in v && typeof (v as { ok: unknown }).ok === 'boolean') {
    return v as Result<unknown>;
  }
  return { ok: false, error: { code: 'internal', message: 'malformed reply from main' } };
}

export function createRendererApi(ipc: IpcRendererLike): RendererApi<IpcSchema> {
  const api: Record<string, unknown> = {};
  for (const key of Object.keys(ipcSchema) as ChannelKey[]) {
    const entry = ipcSchema[key];
    const channel = channelOf(key);
    if (entry.kind === 'invoke') {
      api[key] = (...args: unknown[]) =>
        ipc.invoke(channel, ...args).then(toResult, (e: unknown) => ({
          ok: false as const,
          error: { code: 'internal', message: e instanceof Error ? e.message : 'IPC failed' },
        }));
    } else {
      api[key] = (cb: (payload: unknown) => void) => {
        // Never hand the IpcRendererEvent (it exposes `sender`) to the page: payload only.
        const listener = (_event: unknown, payload: unknown) => cb(payload);
        ipc.on(channel, listener);
        return () => {
          ipc.removeListener(channel, listener);
        };
      };
    }
  }
  return Object.freeze(api) as RendererApi<IpcSchema>;
}

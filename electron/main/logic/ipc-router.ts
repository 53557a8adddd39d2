// Registers one ipcMain handler per invoke entry of the schema. Every call is checked in this
// order: sender (our window, top frame, our document), then arguments, then the handler. A
// rejected call gets a Result error, never an exception, and the handler is not run.
import type { Result } from '../../../app/renderer/bridge.ts';
import type { MainHandlers } from '../../shared/derive.ts';
import { type ChannelKey, channelOf, type IpcSchema, ipcSchema } from '../../shared/ipc-schema.ts';
import { type AppLocation, checkIpcSender } from './sender-check.ts';

/** The parts of Electron's IpcMainInvokeEvent the router reads. */
export interface InvokeEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null | undefined;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface RouterOptions {
  location: AppLocation;
  /** webContents ids of our own windows, kept current by the edge. */
  ownWebContents: ReadonlySet<number>;
  log?: (msg: string) => void;
}

export function registerIpcHandlers(
  ipc: IpcMainLike,
  handlers: MainHandlers<IpcSchema>,
  opts: RouterOptions,
): () => void {
  const registered: string[] = [];
  for (const key of Object.keys(ipcSchema) as ChannelKey[]) {
    const entry = ipcSchema[key];
    if (entry.kind !== 'invoke') continue;
    const channel = channelOf(key);
    const handler = handlers[key as keyof MainHandlers<IpcSchema>] as (
      ...args: unknown[]
    ) => Promise<Result<unknown>>;
    ipc.handle(channel, async (event, ...args): Promise<Result<unknown>> => {
      const frame = event.senderFrame;
      const verdict = checkIpcSender(
        {
          frameUrl: frame?.url,
          isMainFrame: frame != null && frame.parent === null,
          webContentsId: event.sender.id,
        },
        opts.location,
        opts.ownWebContents,
      );
      if (!verdict.ok) {
        opts.log?.(`ipc ${key} refused: ${verdict.reason}`);
        return { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame' } };
      }
      if (!(entry.validate as (a: readonly unknown[]) => boolean)(args)) {
        return { ok: false, error: { code: 'bad_request', message: `invalid arguments for ${key}` } };
      }
      try {
        return await handler(...args);
      } catch (e) {
        opts.log?.(`ipc ${key} failed: ${e instanceof Error ? e.message : String(e)}`);
        return { ok: false, error: { code: 'internal', message: 'internal error' } };
      }
    });
    registered.push(channel);
  }
  return () => {
    for (const c of registered) ipc.removeHandler(c);
  };
}

// Compile-time proof that the API derived from the IPC schema is exactly the renderer's
// DesktopApi (no run-time content). If one side changes alone, `tsc` fails here.
import type { DesktopApi } from '../../app/renderer/bridge.ts';
import type { RendererApi } from './derive.ts';
import type { IpcSchema } from './ipc-schema.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;

export type DerivedApiIsDesktopApi = Assert<Equal<RendererApi<IpcSchema>, DesktopApi>>;

// Sandboxed preload: exposes exactly one object, `window.quicether`, derived from the IPC schema.
// Nothing else (no ipcRenderer, no event objects) crosses into the page. Built to CommonJS at
// dist/electron/preload.cjs by electron/build/build-preload.ts (sandboxed preloads cannot be ESM).
import { contextBridge, ipcRenderer } from 'electron';
import { createRendererApi } from '../shared/renderer-api.ts';

contextBridge.exposeInMainWorld('quicether', createRendererApi(ipcRenderer));

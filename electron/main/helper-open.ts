// Edge: how Electron main opens the helper's control socket (app/protocol's client) and tells
// "not installed" from "not running".
import { existsSync } from 'node:fs';
import { ControlClient } from '../../app/protocol/client.ts';
import { resolveSocketPath } from '../../app/protocol/version.ts';
import type { ControlPort } from './logic/helper-link.ts';

/** Where the deb/AppImage install the helper's unit; absent means "not installed". */
const UNIT_PATHS = [
  '/lib/systemd/system/quicether-helper.service',
  '/etc/systemd/system/quicether-helper.service',
];

export function openHelper(version: string): () => Promise<ControlPort> {
  const socketPath = resolveSocketPath();
  return () =>
    ControlClient.connect({ socketPath, clientName: `quicether-desktop/${version}`, timeoutMs: 5_000 });
}

export function helperInstalled(): boolean {
  return UNIT_PATHS.some((p) => existsSync(p)) || process.env.QUICETHER_SOCKET !== undefined;
}

// An address change on one of the laptop's paths, as a DHCP renewal on a new network does it: the
// old address goes, a new one in the same subnet comes, and the routes the kernel flushed with the
// last address of the device are put back (source rule for the new address, the path's policy
// table, and main-table routes through the device), as a network manager would.
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runIn } from '../lab/exec.ts';
import type { Lab } from '../lab/lab.ts';

interface RouteJson {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  prefsrc?: string;
}

export interface RoamResult {
  oldAddr: string;
  newAddr: string;
  /** Milliseconds for the whole change (one `ip -batch`: old address out, new one usable). */
  gapMs: number;
  restoredRoutes: string[];
}

export async function changeAddress(lab: Lab, pathName: string, newHost: number): Promise<RoamResult> {
  const p = lab.paths.find((x) => x.name === pathName);
  if (!p) throw new Error(`no path ${pathName}`);
  const ns = lab.laptop;
  const table = String(100 + p.subnet);
  const oldAddr = p.laptopAddr;
  const newAddr = `198.18.${p.subnet}.${newHost}`;
  const routes = async (t: string): Promise<RouteJson[]> =>
    (JSON.parse(await runIn(ns, 'ip', ['-j', 'route', 'show', 'table', t])) as RouteJson[]).filter(
      (r) => r.dev === p.name && r.protocol !== 'kernel' && r.prefsrc === undefined,
    );
  const saved = { [table]: await routes(table), main: await routes('main') };
  // One `ip -batch` so the change is as quick as a network manager's (no process per command).
  const cmds = [
    `addr del ${oldAddr}/24 dev ${p.name}`,
    `addr add ${newAddr}/24 dev ${p.name}`,
    `rule del from ${oldAddr} table ${table}`,
    `rule add from ${newAddr} table ${table}`,
  ];
  const restoredRoutes: string[] = [];
  for (const [t, rs] of Object.entries(saved))
    for (const r of rs) {
      const c = `route replace ${r.dst}${r.gateway ? ` via ${r.gateway}` : ''} dev ${p.name} table ${t}`;
      cmds.push(c);
      restoredRoutes.push(c);
    }
  const file = join(tmpdir(), `qe-roam-${ns}.batch`);
  await writeFile(file, `${cmds.join('\n')}\n`);
  const t0 = performance.now();
  try {
    await runIn(ns, 'ip', ['-batch', file]);
  } finally {
    await rm(file, { force: true });
  }
  const gapMs = performance.now() - t0;
  p.laptopAddr = newAddr;
  return { oldAddr, newAddr, gapMs, restoredRoutes };
}

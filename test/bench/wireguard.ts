// A wireguard-go tunnel across the lab's first path, as the baseline the QuicEther tunnel is
// measured against (issue 2). Interface names differ per namespace, as wireguard-go needs.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runIn, sleep } from '../lab/exec.ts';
import type { Lab } from '../lab/lab.ts';
import { pidsInNs } from './proc.ts';

export interface WgTunnel {
  laptopAddr: string;
  gwAddr: string;
  pids(): Promise<number[]>;
  destroy(): Promise<void>;
}

export async function startWireguard(lab: Lab): Promise<WgTunnel> {
  const dir = await mkdtemp(join(tmpdir(), 'qe-wg-'));
  const keyL = (await run('wg', ['genkey'])).trim();
  const keyG = (await run('wg', ['genkey'])).trim();
  const pub = async (k: string) => {
    await writeFile(join(dir, 'k'), k);
    return (await run('sh', ['-c', `wg pubkey < ${join(dir, 'k')}`])).trim();
  };
  const pubL = await pub(keyL);
  const pubG = await pub(keyG);
  await writeFile(join(dir, 'l.key'), keyL);
  await writeFile(join(dir, 'g.key'), keyG);
  const path = lab.paths[0];
  if (!path) throw new Error('lab has no path');
  const env = 'WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1';
  const sides = [
    {
      ns: lab.laptop,
      dev: 'wgl',
      key: join(dir, 'l.key'),
      addr: '198.19.9.2/24',
      peer: pubG,
      endpoint: `${path.gwAddr}:51820`,
      port: 51821,
    },
    {
      ns: lab.gw,
      dev: 'wgg',
      key: join(dir, 'g.key'),
      addr: '198.19.9.1/24',
      peer: pubL,
      endpoint: `${path.laptopAddr}:51821`,
      port: 51820,
    },
  ];
  for (const s of sides) {
    await runIn(s.ns, 'sh', ['-c', `${env} wireguard-go ${s.dev}`]);
    await runIn(s.ns, 'wg', [
      'set',
      s.dev,
      'listen-port',
      String(s.port),
      'private-key',
      s.key,
      'peer',
      s.peer,
      'allowed-ips',
      '198.19.9.0/24',
      'endpoint',
      s.endpoint,
    ]);
    await runIn(s.ns, 'ip', ['addr', 'add', s.addr, 'dev', s.dev]);
    await runIn(s.ns, 'ip', ['link', 'set', s.dev, 'mtu', '1420', 'up']);
  }
  await sleep(200);
  return {
    laptopAddr: '198.19.9.2',
    gwAddr: '198.19.9.1',
    async pids() {
      // Only this lab's two processes (other labs may run wireguard-go with the same names).
      return [...(await pidsInNs(lab.laptop, 'wireguard-go')), ...(await pidsInNs(lab.gw, 'wireguard-go'))];
    },
    async destroy() {
      for (const s of sides) await runIn(s.ns, 'ip', ['link', 'del', s.dev]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

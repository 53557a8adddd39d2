// Kill switch in the lab (SECURITY.md L1, P8, L8): the laptop namespace gets the real kill switch
// table (app/helper/system/killswitch.ts) and an independent egress counter on its physical links
// (sec-lab.ts). Pass: nothing but the tunnel's UDP (and ARP/NDP/DHCP upkeep) ever leaves.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import {
  applyKillSwitch,
  killSwitchActive,
  killSwitchBlocked,
  removeKillSwitch,
} from '../../../app/helper/system/killswitch.ts';
import { runIn, spawnIn, waitExit } from '../../lab/exec.ts';
import { createLab } from '../../lab/lab.ts';
import { tcpTransfer } from '../../lab/transfer.ts';
import { GW_ENDPOINT, GW_PORT, GW_TUN, startTunnel, type Tunnel } from '../../lab/tunnel.ts';
import {
  activePaths,
  helperCounters,
  installLeakCounter,
  logTail,
  pingReplies,
  ROOT_SKIP,
  readLeakCounter,
  sleep,
  waitUntil,
} from './sec-lab.ts';

const CLI = resolve(import.meta.dirname, '../../../bin/quicether.js');
const KS = { tunName: 'quicether0', endpoints: [{ host: GW_ENDPOINT, port: GW_PORT }], allowLan: false };
const DEVS = ['wifi0', 'lte0'];
const EP = { host: GW_ENDPOINT, port: GW_PORT };

/** Non-tunnel traffic a leaky laptop would send: a UDP "DNS query" and a TCP connect, from inside ns. */
async function tryNonTunnelTraffic(ns: string, host: string): Promise<void> {
  const script = `
    const d = require('node:dgram').createSocket('udp4');
    d.send(Buffer.from('leak?'), 53, '${host}', () => d.close());
    const s = require('node:net').connect(80, '${host}');
    s.on('error', () => {}); setTimeout(() => { s.destroy(); process.exit(0); }, 1000);`;
  await runIn(ns, process.execPath, ['-e', script], 10_000).catch(() => undefined);
}

describe('kill switch (L1, P8, L8)', { skip: ROOT_SKIP }, () => {
  test('L1: gateway unreachable while connecting, path flapping, probes at 1 Hz: nothing leaves outside the tunnel', async () => {
    const lab = await createLab(undefined, 'ksl1');
    let t: Tunnel | undefined;
    try {
      await installLeakCounter(lab.laptop, DEVS, EP);
      // Sanity: the counter does see a leak when nothing blocks (so 0 later means something).
      assert.equal(await pingReplies(lab.laptop, ['-c', '1', '-W', '2', '198.18.1.1']), 1);
      const open = await readLeakCounter(lab.laptop);
      assert.ok(open.leak >= 1, `the leak counter missed an unblocked ping: ${JSON.stringify(open)}`);

      await applyKillSwitch({ ...KS, ns: lab.laptop });
      await installLeakCounter(lab.laptop, DEVS, EP); // reset
      await lab.blackhole('wifi0', true);
      await lab.blackhole('lte0', true);
      t = await startTunnel(lab, { waitPaths: 0 });

      // ~8 s of 1 Hz probes to the lab (non-tunnel) and the tunnel peer, other traffic, and a flap.
      const probes = Promise.all([
        pingReplies(lab.laptop, ['-c', '8', '-i', '1', '-W', '1', '198.18.1.1']),
        pingReplies(lab.laptop, ['-c', '8', '-i', '1', '-W', '1', '198.18.2.1']),
        pingReplies(lab.laptop, ['-c', '8', '-i', '1', '-W', '1', GW_TUN]),
      ]);
      await sleep(2000);
      await tryNonTunnelTraffic(lab.laptop, '198.18.1.1');
      await lab.linkDown('lte0');
      await sleep(1500);
      await lab.linkUp('lte0');
      const [r1, r2, rt] = await probes;
      const c = await readLeakCounter(lab.laptop);
      const status = JSON.parse(await t.cli('laptop', ['status', '--json'])) as { state: string };
      const blocked = await killSwitchBlocked({ ns: lab.laptop });
      console.log(
        `L1: leak counter ${JSON.stringify(c)}; kill switch blocked ${JSON.stringify(blocked)}; state ${status.state}`,
      );
      assert.deepEqual([r1, r2, rt], [0, 0, 0], 'a probe got an answer');
      assert.equal(c.leak, 0, `leaked: ${c.leaked.join(' ')}`);
      assert.ok(c.tunnel > 0, 'the helper could not even try to reach the peer (the exception is too tight)');
      assert.notEqual(status.state, 'connected');
      assert.ok((blocked?.output ?? 0) >= 16, `kill switch counted ${blocked?.output} refusals`);

      // The peer becomes reachable: the tunnel comes up through the kill switch, the rest stays shut.
      await lab.blackhole('wifi0', false);
      await lab.blackhole('lte0', false);
      const up = await waitUntil(async () => (await activePaths(t as Tunnel)) >= 1, 30_000, 500);
      assert.notEqual(up, null, `no path came up under the kill switch\n${logTail(t)}`);
      assert.ok((await pingReplies(lab.laptop, ['-c', '3', '-i', '0.3', '-W', '2', GW_TUN])) >= 2);
      assert.equal(await pingReplies(lab.laptop, ['-c', '2', '-i', '0.3', '-W', '1', '198.18.1.1']), 0);
      const end = await readLeakCounter(lab.laptop);
      assert.equal(end.leak, 0, `leaked: ${end.leaked.join(' ')}`);
    } finally {
      await t?.destroy();
      await lab.destroy();
    }
  });

  test('P8: active path down, then 100 % loss, mid-transfer under the kill switch: transfers intact, 0 leaked', async () => {
    const lab = await createLab(undefined, 'ksp8');
    let t: Tunnel | undefined;
    try {
      await applyKillSwitch({ ...KS, ns: lab.laptop });
      t = await startTunnel(lab);
      await installLeakCounter(lab.laptop, DEVS, EP);
      const bytes = 40 * 1024 * 1024;

      // (a) wifi0 goes down 1.5 s into the transfer.
      let timer: NodeJS.Timeout | undefined;
      const a = await tcpTransfer(lab.laptop, lab.gw, GW_TUN, 5101, bytes, 150, {
        onStarted: () => {
          timer = setTimeout(() => void lab.linkDown('wifi0'), 1500);
        },
      });
      clearTimeout(timer);
      const ca = await readLeakCounter(lab.laptop);
      console.log(
        `P8a: sent ${a.sent.bytes} in ${a.sent.ms} ms, timeline ${JSON.stringify(a.sent.timeline)}; ${JSON.stringify(ca)}`,
      );
      assert.equal(a.sent.error, undefined, `source: ${a.sent.error}\n${logTail(t)}`);
      assert.equal(a.received.bytes, bytes, logTail(t));
      assert.equal(a.received.sha256, a.sent.sha256);
      assert.equal(ca.leak, 0, `leaked: ${ca.leaked.join(' ')}`);

      // (b) wifi0 back; then lte0 loses every packet (link stays up) mid-transfer.
      await lab.linkUp('wifi0');
      await runIn(lab.laptop, 'ip', [
        'route',
        'replace',
        'default',
        'via',
        '198.18.1.1',
        'dev',
        'wifi0',
        'table',
        '101',
      ]);
      const both = await waitUntil(async () => (await activePaths(t as Tunnel)) >= 2, 30_000, 500);
      assert.notEqual(both, null, `wifi0 did not rejoin\n${logTail(t)}`);
      const b = await tcpTransfer(lab.laptop, lab.gw, GW_TUN, 5102, bytes, 150, {
        onStarted: () => {
          timer = setTimeout(() => void lab.blackhole('lte0', true), 1500);
        },
      });
      clearTimeout(timer);
      const cb = await readLeakCounter(lab.laptop);
      console.log(
        `P8b: sent ${b.sent.bytes} in ${b.sent.ms} ms, timeline ${JSON.stringify(b.sent.timeline)}; ${JSON.stringify(cb)}`,
      );
      assert.equal(b.sent.error, undefined, `source: ${b.sent.error}\n${logTail(t)}`);
      assert.equal(b.received.bytes, bytes, logTail(t));
      assert.equal(b.received.sha256, b.sent.sha256);
      assert.equal(cb.leak, 0, `leaked: ${cb.leaked.join(' ')}`);
      assert.ok(cb.tunnel > 1000, 'the transfer did not go through the tunnel UDP');
      const counters = await helperCounters(t, 'laptop');
      console.log(`P8 laptop counters: ${JSON.stringify(counters)}`);
    } finally {
      await t?.destroy();
      await lab.destroy();
    }
  });

  test('L8: kill -9 of the connected helper leaves the rules; a corrupt config fails and the rules stay; a good restart comes back through them', async () => {
    const lab = await createLab(undefined, 'ksl8');
    let t: Tunnel | undefined;
    let again: ChildProcess | undefined;
    try {
      await applyKillSwitch({ ...KS, ns: lab.laptop });
      t = await startTunnel(lab);
      assert.ok((await pingReplies(lab.laptop, ['-c', '2', '-i', '0.3', '-W', '2', GW_TUN])) >= 1);
      await installLeakCounter(lab.laptop, DEVS, EP);

      t.laptop.proc.kill('SIGKILL');
      await waitExit(t.laptop.proc, 5000);
      assert.equal(t.laptop.proc.signalCode, 'SIGKILL');
      assert.equal(await killSwitchActive({ ns: lab.laptop }), true, 'the rules went with the helper');
      assert.equal(await pingReplies(lab.laptop, ['-c', '3', '-i', '0.3', '-W', '1', '198.18.1.1']), 0);
      assert.equal(await pingReplies(lab.laptop, ['-c', '2', '-i', '0.3', '-W', '1', GW_TUN]), 0);
      await tryNonTunnelTraffic(lab.laptop, '198.18.2.1');

      // A corrupt config: the helper refuses to start, the table is untouched.
      const bad = join(t.dir, 'corrupt.toml');
      await runIn(lab.laptop, 'sh', ['-c', `printf '[tunnel\\nname = = "x"\\n' > ${bad}`]);
      const corrupt = spawnIn(lab.laptop, process.execPath, [CLI, 'start', '--config', bad]);
      let corruptOut = '';
      corrupt.stdout?.on('data', (d) => (corruptOut += d));
      corrupt.stderr?.on('data', (d) => (corruptOut += d));
      const code = await waitExit(corrupt, 20_000);
      console.log(`L8: corrupt config exit ${code}: ${corruptOut.trim().slice(0, 300)}`);
      assert.notEqual(code, 0);
      assert.equal(await killSwitchActive({ ns: lab.laptop }), true);
      assert.equal(await pingReplies(lab.laptop, ['-c', '2', '-i', '0.3', '-W', '1', '198.18.1.1']), 0);
      const c = await readLeakCounter(lab.laptop);
      assert.equal(c.leak, 0, `leaked: ${c.leaked.join(' ')}`);

      // The good config again: it comes back through the kill switch (still blocking the rest).
      const log: string[] = [];
      again = spawnIn(lab.laptop, process.execPath, [CLI, 'start', '--config', join(t.dir, 'laptop.toml')], {
        env: { ...process.env, QUICETHER_LOG: 'pretty' },
      });
      again.stdout?.on('data', (d) => log.push(String(d)));
      again.stderr?.on('data', (d) => log.push(String(d)));
      const back = await waitUntil(
        async () => (await pingReplies(lab.laptop, ['-c', '1', '-W', '1', GW_TUN])) === 1,
        40_000,
        500,
      );
      console.log(`L8: restarted helper answered through the tunnel after ${back} ms`);
      assert.notEqual(back, null, `no tunnel after restart\n${log.join('').slice(-3000)}\n${logTail(t)}`);
      assert.equal(await pingReplies(lab.laptop, ['-c', '2', '-i', '0.3', '-W', '1', '198.18.1.1']), 0);
      const end = await readLeakCounter(lab.laptop);
      assert.equal(end.leak, 0, `leaked: ${end.leaked.join(' ')}`);

      // A user disconnect removes it (what the helper does on disconnect): traffic flows again.
      await removeKillSwitch({ ns: lab.laptop });
      assert.equal(await killSwitchActive({ ns: lab.laptop }), false);
      assert.equal(await pingReplies(lab.laptop, ['-c', '1', '-W', '2', '198.18.1.1']), 1);
    } finally {
      if (again && again.exitCode === null) {
        again.kill('SIGTERM');
        if ((await waitExit(again, 5000)) === null) again.kill('SIGKILL');
      }
      await t?.destroy();
      await lab.destroy();
    }
  });
});

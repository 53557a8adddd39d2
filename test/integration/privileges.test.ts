// The helper works with the privileges its systemd unit gives it and no more: its own user,
// CAP_NET_ADMIN as the only capability (effective, ambient, bounding set), no_new_privs
// (resources/linux/quicether-helper.service). Everything it does at run time is exercised here
// that way: TUN, addresses and routes, one socket bound per interface, the interface monitor,
// the kill switch (nftables), a path failing, disconnect and connect from the CLI.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { isRoot, nobodyCanRead, pingLoss, runIn, sleep } from '../lab/exec.ts';
import { createLab } from '../lab/lab.ts';
import { GW_TUN, startTunnel, type Tunnel, waitForPaths } from '../lab/tunnel.ts';

const REPO = resolve(import.meta.dirname, '../..');
const NOBODY = 65534;
const CAP_NET_ADMIN = 12;

/** Uid, effective and ambient capabilities and no_new_privs of a running process. */
async function credentials(pid: number): Promise<{ uid: number; eff: bigint; amb: bigint; nnp: number }> {
  const s = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => new RegExp(`^${name}:\\s+(\\S+)`, 'm').exec(s)?.[1] ?? '';
  return {
    uid: Number(field('Uid')),
    eff: BigInt(`0x${field('CapEff')}`),
    amb: BigInt(`0x${field('CapAmb')}`),
    nnp: Number(field('NoNewPrivs')),
  };
}

test('helpers as an unprivileged user with CAP_NET_ADMIN only: tunnel, kill switch, path failure', {
  skip: (!isRoot() && 'needs root') || (!nobodyCanRead(REPO) && 'uid 65534 cannot read the repository'),
}, async () => {
  const lab = await createLab(undefined, 'pv');
  let t: Tunnel | undefined;
  try {
    t = await startTunnel(lab, {
      asUser: NOBODY,
      laptopMultipath: ['mode = "aggregate"'],
      laptopExtra: ['[killswitch]', 'enabled = true'],
    });
    for (const h of [t.laptop, t.gw]) {
      const c = await credentials(h.proc.pid as number);
      assert.deepEqual(c, {
        uid: NOBODY,
        eff: 1n << BigInt(CAP_NET_ADMIN),
        amb: 1n << BigInt(CAP_NET_ADMIN),
        nnp: 1,
      });
    }
    assert.match(await runIn(lab.laptop, 'nft', ['list', 'tables']), /quicether_ks/);
    assert.equal(await pingLoss(lab.laptop, ['-c', '10', '-i', '0.05', '-W', '1', GW_TUN]), 0);
    assert.equal(await pingLoss(lab.laptop, ['-c', '3', '-i', '0.2', '-W', '1', '198.18.1.1']), 100);

    // A path fails: the monitor sees it, traffic goes on over the other.
    await runIn(lab.laptop, 'ip', ['link', 'set', 'wifi0', 'down']);
    const deadline = Date.now() + 15_000;
    let active = 2;
    while (Date.now() < deadline && active !== 1) {
      active = (JSON.parse(await t.cli('laptop', ['status', '--json'])) as { activePaths: number })
        .activePaths;
      if (active !== 1) await sleep(250);
    }
    assert.equal(active, 1, 'wifi0 down: still 2 active paths after 15 s');
    assert.equal(await pingLoss(lab.laptop, ['-c', '10', '-i', '0.05', '-W', '1', GW_TUN]), 0);
    await runIn(lab.laptop, 'ip', ['link', 'set', 'wifi0', 'up']);
    await waitForPaths(t, 2, 20_000);

    // The user's disconnect lifts the kill switch; connect puts it back and the tunnel returns.
    await t.cli('laptop', ['disconnect']);
    assert.doesNotMatch(await runIn(lab.laptop, 'nft', ['list', 'tables']), /quicether_ks/);
    await t.cli('laptop', ['connect']);
    await waitForPaths(t, 2, 20_000);
    assert.match(await runIn(lab.laptop, 'nft', ['list', 'tables']), /quicether_ks/);
    assert.equal(await pingLoss(lab.laptop, ['-c', '10', '-i', '0.05', '-W', '1', GW_TUN]), 0);
  } catch (e) {
    if (t) console.error(`laptop log:\n${t.laptop.log.slice(-30).join('\n')}`);
    throw e;
  } finally {
    await t?.destroy();
    await lab.destroy();
  }
});

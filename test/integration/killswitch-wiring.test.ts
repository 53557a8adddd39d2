// The helper applies its kill switch from the config before any path exists, keeps it while
// connected, and lifts it only on the user's disconnect (SECURITY.md rule 3).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRoot, pingLoss, runIn } from '../lab/exec.ts';
import { createLab } from '../lab/lab.ts';
import { GW_TUN, startTunnel, type Tunnel } from '../lab/tunnel.ts';

test('[killswitch] enabled: only the tunnel works until the user disconnects', {
  skip: !isRoot() && 'needs root',
}, async () => {
  const lab = await createLab([{ name: 'wifi0', subnet: 1 }], 'ks');
  let t: Tunnel | undefined;
  try {
    t = await startTunnel(lab, {
      laptopMultipath: ['mode = "disable"'],
      laptopExtra: ['[killswitch]', 'enabled = true'],
    });
    const table = await runIn(lab.laptop, 'nft', ['list', 'tables']);
    assert.match(table, /quicether_ks/);
    // Through the tunnel: fine. Around it (the gateway's own link address): blocked.
    assert.equal(await pingLoss(lab.laptop, ['-c', '3', '-i', '0.2', '-W', '1', GW_TUN]), 0);
    assert.equal(await pingLoss(lab.laptop, ['-c', '3', '-i', '0.2', '-W', '1', '198.18.1.1']), 100);
    await t.cli('laptop', ['disconnect']);
    const after = await runIn(lab.laptop, 'nft', ['list', 'tables']);
    if (/quicether_ks/.test(after)) console.error(t.laptop.log.slice(-15).join('\n'));
    assert.doesNotMatch(after, /quicether_ks/);
    assert.equal(await pingLoss(lab.laptop, ['-c', '3', '-i', '0.2', '-W', '1', '198.18.1.1']), 0);
    // Connecting again puts the rules back before the first path.
    await t.cli('laptop', ['connect']);
    assert.match(await runIn(lab.laptop, 'nft', ['list', 'tables']), /quicether_ks/);
    // A stop while connected keeps blocking (fail closed).
    await t.laptop.stop();
    assert.match(await runIn(lab.laptop, 'nft', ['list', 'tables']), /quicether_ks/);
    assert.equal(await pingLoss(lab.laptop, ['-c', '2', '-i', '0.2', '-W', '1', '198.18.1.1']), 100);
  } finally {
    await t?.destroy();
    await lab.destroy();
  }
});

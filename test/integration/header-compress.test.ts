// Inner-header compression in the lab (header-compress.ts): negotiated per peer, and set up again
// after a helper restarts. The 200 MB transfer in tunnel.test.ts shows the compressed path itself.
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isRoot, runIn, sleep } from '../lab/exec.ts';
import { createLab, type Lab } from '../lab/lab.ts';
import { restartLaptop } from '../lab/restart.ts';
import { counterAtLeast, helperCounters } from '../lab/stats.ts';
import { tcpTransfer } from '../lab/transfer.ts';
import { GW_TUN, type HelperProc, startTunnel, type Tunnel } from '../lab/tunnel.ts';

const skip = !isRoot() && 'needs root (network namespaces)';
const UDP_STREAM = join(resolve(import.meta.dirname, '../lab'), 'udp-stream.mjs');
const MB = 1024 * 1024;

async function intactTransfer(lab: Lab, port: number, bytes: number): Promise<void> {
  const r = await tcpTransfer(lab.laptop, lab.gw, GW_TUN, port, bytes, 60);
  assert.equal(r.sent.error, undefined, `source error: ${r.sent.error}`);
  assert.equal(r.received.bytes, bytes);
  assert.equal(r.received.sha256, r.sent.sha256);
}

/** Waits (bounded) until the restarted laptop helper reports an active path. */
async function activePath(t: Tunnel, helper: HelperProc, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < end) {
    if (helper.proc.exitCode !== null) throw new Error(`helper exited: ${helper.log.slice(-5).join('\n')}`);
    try {
      last = await t.cli('laptop', ['status', '--json']);
      if ((JSON.parse(last) as { activePaths: number }).activePaths >= 1) return;
    } catch (e) {
      last = String(e);
    }
    await sleep(250);
  }
  throw new Error(`no active path after the restart; last status: ${last}`);
}

describe('inner-header compression is negotiated: a gateway with it off', { skip }, () => {
  let lab: Lab;
  let t: Tunnel;
  before(async () => {
    lab = await createLab([{ name: 'wifi0', subnet: 1 }], 'hcoff');
    t = await startTunnel(lab, {
      laptopMultipath: ['mode = "disable"'],
      gwTunnel: ['header_compression = false'],
    });
  });
  after(async () => {
    await t?.destroy();
    await lab?.destroy();
  });

  test('gets whole packets and sends whole packets; the transfer is intact', async () => {
    await intactTransfer(lab, 5101, 20 * MB);
    const l = await counterAtLeast(t, 'laptop', 'txPackets', 10_000);
    assert.ok(l >= 10_000, `laptop sent ${l} packets`);
    const lc = await helperCounters(t, 'laptop');
    const gc = await helperCounters(t, 'gw');
    assert.equal(lc.compressedTx ?? 0, 0, 'the laptop compressed toward a gateway that did not ask');
    assert.equal(gc.compressedTx ?? 0, 0, 'the gateway compressed with compression off');
    assert.equal((lc.unknownContextDrops ?? 0) + (gc.unknownContextDrops ?? 0), 0);
  });
});

describe('inner-header compression after the laptop helper restarts', { skip }, () => {
  let lab: Lab;
  let t: Tunnel;
  let second: HelperProc | undefined;
  before(async () => {
    lab = await createLab([{ name: 'wifi0', subnet: 1 }], 'hcrs');
    t = await startTunnel(lab, { laptopMultipath: ['mode = "disable"'] });
  });
  after(async () => {
    await second?.stop();
    await t?.destroy();
    await lab?.destroy();
  });

  test('UDP datagrams cross compressed and arrive whole (the receiving kernel checks their checksums)', async () => {
    const g0 = (await helperCounters(t, 'gw')).compressedRx ?? 0;
    const sink = runIn(lab.gw, process.execPath, [UDP_STREAM, 'sink', '5201', '4'], 10_000);
    await sleep(500);
    // 2400 kbit/s for 2 s of 1200-byte datagrams: 500 of them.
    const sent = JSON.parse(
      (
        await runIn(lab.laptop, process.execPath, [UDP_STREAM, 'send', GW_TUN, '5201', '2400', '2'], 10_000)
      ).trim(),
    ) as { sent: number };
    const got = JSON.parse((await sink).trim()) as { packets: number; bytes: number };
    assert.ok(sent.sent >= 490, `sent ${sent.sent}`);
    assert.ok(got.packets >= sent.sent - 5, `${got.packets} of ${sent.sent} datagrams arrived`);
    assert.equal(got.bytes, got.packets * 1200);
    const g1 = await counterAtLeast(t, 'gw', 'compressedRx', g0 + sent.sent - 10);
    assert.ok(g1 - g0 >= sent.sent - 10, `the gateway rebuilt ${g1 - g0} of ${sent.sent}`);
  });

  test('contexts of the old session are dropped; the new one compresses both ways', async () => {
    await intactTransfer(lab, 5102, 10 * MB);
    const g0 = await counterAtLeast(t, 'gw', 'compressedRx', 5000);
    assert.ok(g0 >= 5000, `gateway rebuilt ${g0} packets before the restart`);
    second = await restartLaptop(t);
    await activePath(t, second, 30_000);
    await intactTransfer(lab, 5103, 10 * MB);
    // The new laptop process counts from 0: it compressed its data and rebuilt the gateway's ACKs,
    // so the gateway dropped the old session's contexts and defined new ones.
    const txd = await counterAtLeast(t, 'laptop', 'compressedTx', 5000);
    assert.ok(txd >= 5000, `the new laptop compressed ${txd} packets`);
    // ACKs: the gateway's TCP acknowledges each merged super-packet (~190 for 10 MB).
    const rxd = await counterAtLeast(t, 'laptop', 'compressedRx', 100);
    assert.ok(rxd >= 100, `the new laptop rebuilt ${rxd} of the gateway's ACKs`);
    const lc = await helperCounters(t, 'laptop');
    const gc = await helperCounters(t, 'gw');
    assert.equal(lc.badHeaderDrops ?? 0, 0);
    assert.equal(gc.badHeaderDrops ?? 0, 0);
  });
});

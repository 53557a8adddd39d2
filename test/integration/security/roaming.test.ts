// SECURITY.md P7, roaming and NAT rebinding, on a one-path lab (so the tunnel lives or dies with
// that path): a checksummed TCP transfer through the tunnel must finish on its one TCP connection.
//   (a) the laptop's address changes: `ip addr del` 198.18.1.2, 1 s later `ip addr add` 198.18.1.3;
//       the client must rejoin the same session from the new address.
//   (b) a NAT rebinding the laptop does not see: the gateway's wifi0 rewrites the client's UDP
//       source port (ingress) and back (egress), statelessly in nftables, so the server sees the
//       same QUIC connection arrive from a new port.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runIn, tryRun } from '../../lab/exec.ts';
import { createLab, type Lab } from '../../lab/lab.ts';
import { tcpTransfer } from '../../lab/transfer.ts';
import { GW_ENDPOINT, GW_PORT, GW_TUN, startTunnel, type Tunnel } from '../../lab/tunnel.ts';
import { helperCounters, logTail, nftIn, ROOT_SKIP, sleep } from './sec-lab.ts';

const BYTES = 48 * 1024 * 1024;

async function moveAddress(lab: Lab, from: string, to: string): Promise<void> {
  await runIn(lab.laptop, 'ip', ['addr', 'del', `${from}/24`, 'dev', 'wifi0']);
  await sleep(1000);
  await runIn(lab.laptop, 'ip', ['addr', 'add', `${to}/24`, 'dev', 'wifi0']);
  // What a DHCP client would do on a new lease: source rule and routes for the new address.
  await tryRun('ip', ['netns', 'exec', lab.laptop, 'ip', 'rule', 'add', 'from', to, 'table', '101']);
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
  await runIn(lab.laptop, 'ip', [
    'route',
    'replace',
    `${GW_ENDPOINT}/32`,
    'via',
    '198.18.1.1',
    'dev',
    'wifi0',
  ]);
}

/** The laptop's UDP source port towards the gateway endpoint (its one path socket). */
async function clientPort(lab: Lab): Promise<number> {
  // The path socket is bound to the path's address (and unconnected): find it by local address.
  const out = await runIn(lab.laptop, 'ss', ['-Huan']);
  const m = /198\.18\.1\.\d+(?:%\w+)?:(\d+)\s/.exec(out);
  if (!m) throw new Error(`no path socket in ss output: ${out}`);
  return Number(m[1]);
}

async function natRebind(lab: Lab, realPort: number, natPort: number): Promise<void> {
  await nftIn(
    lab.gw,
    `table netdev qe_rebind {
  chain in {
    type filter hook ingress device "wifi0" priority -300; policy accept;
    ip daddr ${GW_ENDPOINT} udp sport ${realPort} udp dport ${GW_PORT} counter udp sport set ${natPort}
  }
  chain out {
    type filter hook egress device "wifi0" priority -300; policy accept;
    ip saddr ${GW_ENDPOINT} udp sport ${GW_PORT} udp dport ${natPort} counter udp dport set ${realPort}
  }
}
`,
  );
}

describe('roaming (P7)', { skip: ROOT_SKIP }, () => {
  test('(a) address change mid-transfer: same TCP connection, same session, intact', async () => {
    const lab = await createLab([{ name: 'wifi0', subnet: 1 }], 'p7a');
    let t: Tunnel | undefined;
    try {
      // 50 Mbit/s: the transfer lasts ~8 s, so the change at 1.5 s lands mid-transfer (unshaped,
      // the whole transfer can finish in ~1 s, before it).
      await lab.setRate('wifi0', '50mbit');
      t = await startTunnel(lab);
      let moved: Promise<void> | undefined;
      const r = await tcpTransfer(lab.laptop, lab.gw, GW_TUN, 5201, BYTES, 150, {
        onStarted: () => {
          moved = sleep(1500).then(() => moveAddress(lab, '198.18.1.2', '198.18.1.3'));
        },
      });
      await moved;
      // The new path joins shortly after the new address appears: wait for it (bounded).
      for (let i = 0; i < 50 && !t.laptop.log.some((l) => /joined the session \(198\.18\.1\.3/.test(l)); i++)
        await sleep(200);
      const joined = t.laptop.log.filter((l) => /joined the session/.test(l));
      console.log(
        `P7a: ${r.sent.bytes} B in ${r.sent.ms} ms, timeline ${JSON.stringify(r.sent.timeline)}\n  ${joined.join('\n  ')}`,
      );
      assert.equal(r.sent.error, undefined, `source: ${r.sent.error}\n${logTail(t)}`);
      assert.equal(r.received.bytes, BYTES, logTail(t));
      assert.equal(r.received.sha256, r.sent.sha256);
      assert.ok(
        joined.some((l) => l.includes('198.18.1.3')),
        `no path joined from the new address\n${logTail(t)}`,
      );
      // The gateway saw one session throughout: the rejoin presented the session token.
      const gw = await helperCounters(t, 'gw');
      console.log(`P7a gw counters: ${JSON.stringify(gw)}`);
    } finally {
      await t?.destroy();
      await lab.destroy();
    }
  });

  test('(b) NAT rebinding (client port changes under it) mid-transfer: intact', async () => {
    const lab = await createLab([{ name: 'wifi0', subnet: 1 }], 'p7b');
    let t: Tunnel | undefined;
    try {
      // 50 Mbit/s: the transfer lasts ~8 s, so the change at 1.5 s lands mid-transfer (unshaped,
      // the whole transfer can finish in ~1 s, before it).
      await lab.setRate('wifi0', '50mbit');
      t = await startTunnel(lab);
      const port = await clientPort(lab);
      let rebound: Promise<void> | undefined;
      const r = await tcpTransfer(lab.laptop, lab.gw, GW_TUN, 5202, BYTES, 150, {
        onStarted: () => {
          rebound = sleep(1500).then(() => natRebind(lab, port, port === 40001 ? 40002 : 40001));
        },
      });
      await rebound;
      const after = await clientPort(lab).catch(() => -1);
      const joined = t.laptop.log.filter((l) => /joined the session|closed/.test(l));
      console.log(
        `P7b: client port ${port} (after: ${after}), ${r.sent.bytes} B in ${r.sent.ms} ms, timeline ${JSON.stringify(r.sent.timeline)}\n  ${joined.join('\n  ')}`,
      );
      assert.equal(r.sent.error, undefined, `source: ${r.sent.error}\n${logTail(t)}`);
      assert.equal(r.received.bytes, BYTES, logTail(t));
      assert.equal(r.received.sha256, r.sent.sha256);
      // Both rewrites matched: the client's packets arrived from the new port AND the server answered
      // to the new port (it followed the rebinding), which the egress rule turned back.
      const rules = await runIn(lab.gw, 'nft', ['list', 'table', 'netdev', 'qe_rebind']);
      const counts = [...rules.matchAll(/counter packets (\d+)/g)].map((m) => Number(m[1]));
      console.log(`P7b rewritten packets (in, out): ${JSON.stringify(counts)}`);
      assert.equal(counts.length, 2);
      assert.ok((counts[0] ?? 0) > 100 && (counts[1] ?? 0) > 100, `rewrites: ${JSON.stringify(counts)}`);
      assert.ok(
        !joined.some((l) => /closed/.test(l)),
        `the path was re-dialled instead of rebinding\n${logTail(t)}`,
      );
    } finally {
      await t?.destroy();
      await lab.destroy();
    }
  });
});

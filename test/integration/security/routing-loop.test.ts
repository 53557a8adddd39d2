// SECURITY.md L7: a peer endpoint inside the tunnel's own routes would route the tunnel's UDP into
// itself. The helper must refuse to start, say why, and leave no TUN device or route behind.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { generateIdentity, saveIdentity } from '../../../app/helper/identity/index.ts';
import { runIn, spawnIn, waitExit } from '../../lab/exec.ts';
import { createLab } from '../../lab/lab.ts';
import { GW_ENDPOINT, GW_PORT, LAPTOP_TUN } from '../../lab/tunnel.ts';
import { ROOT_SKIP } from './sec-lab.ts';

const CLI = resolve(import.meta.dirname, '../../../bin/quicether.js');

describe('routing loop (L7)', { skip: ROOT_SKIP }, () => {
  for (const [name, allowed] of [
    ['endpoint inside a wide prefix', ['198.19.0.1/32', '198.18.0.0/15']],
    ['endpoint exactly routed', ['198.19.0.1/32', `${GW_ENDPOINT}/32`]],
  ] as const) {
    test(`the helper refuses to start: ${name}`, async () => {
      const lab = await createLab([{ name: 'wifi0', subnet: 1 }], 'l7');
      const dir = await mkdtemp(join(tmpdir(), 'qe-l7-'));
      try {
        const [me, gw] = await Promise.all([generateIdentity(), generateIdentity()]);
        await saveIdentity(join(dir, 'id'), me);
        await writeFile(
          join(dir, 'laptop.toml'),
          `[node]
identity_dir = "${join(dir, 'id')}"
[tunnel]
name = "quicether0"
address = "${LAPTOP_TUN}/24"
[[peers]]
node_id = "${gw.nodeId}"
endpoint = "${GW_ENDPOINT}:${GW_PORT}"
allowed_ips = [${allowed.map((a) => `"${a}"`).join(', ')}]
[control]
socket = "${join(dir, 'laptop.sock')}"
`,
        );
        const p = spawnIn(lab.laptop, process.execPath, [CLI, 'start', '--config', join(dir, 'laptop.toml')]);
        let out = '';
        p.stdout?.on('data', (d) => (out += d));
        p.stderr?.on('data', (d) => (out += d));
        const code = await waitExit(p, 20_000);
        console.log(`L7 (${name}): exit ${code}: ${out.trim().split('\n').pop()}`);
        assert.notEqual(code, 0, 'the helper started with a routing loop');
        assert.notEqual(code, null, 'the helper kept running with a routing loop');
        assert.match(out, /routing loop/);
        assert.match(out, new RegExp(GW_ENDPOINT.replaceAll('.', '\\.')));
        // Nothing left behind: no TUN, no route for the endpoint through it.
        const links = await runIn(lab.laptop, 'ip', ['-o', 'link', 'show']);
        assert.doesNotMatch(links, /quicether0/);
        const route = await runIn(lab.laptop, 'ip', ['route', 'get', GW_ENDPOINT]).catch((e) => String(e));
        assert.doesNotMatch(route, /quicether0/);
      } finally {
        await rm(dir, { recursive: true, force: true });
        await lab.destroy();
      }
    });
  }
});

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { formatCidr } from '../../../app/core/cidr.ts';
import {
  applyCliOverrides,
  type Config,
  ConfigError,
  loadConfig,
  parseConfig,
} from '../../../app/helper/config/index.ts';

// Seed §8.8.3, verbatim.
const SEED_8_8_3 = `[multipath]
enabled = true
mode = "aggregate"         # or "failover"
interfaces = ["eth0", "eth1", "wwan0"]

[multipath.weights]
eth0 = 1.0   # Office LAN
eth1 = 2.0   # Fast fiber
wwan0 = 0.5  # Expensive LTE

[multipath.policies]
# Interactive traffic prefer low-latency
interactive_max_rtt_ms = 50
# Bulk traffic can use all paths
bulk_min_bandwidth_mbps = 5
`;

const FULL = `
[node]
key_file = "keys/node.key"
cert_file = "/etc/quicether/node.crt"
listen = "0.0.0.0:4433"

[tunnel]
name = "quicether0"
address = "198.19.0.2/24"

[[peers]]
node_id = "gw-node-id"
endpoint = "gw.example.net:4433"
allowed_ips = ["198.19.0.1/32", "198.19.0.0/16", "fd00:19::/64"]

[[peers]]
node_id = "laptop-2"
allowed_ips = ["198.19.0.3/32"]

[multipath]
mode = "failover"
interfaces = ["eth0", "wlan0"]
scheduler = "redundant"

[control]
socket = "/run/quicether/helper.sock"
group = "quicether"
`;

/** Parses and expects a ConfigError; returns its message lines. */
function errorsOf(text: string): string[] {
  try {
    parseConfig(text, 'test.toml', { baseDir: '/etc/quicether' });
  } catch (e) {
    assert.ok(e instanceof ConfigError, `not a ConfigError: ${String(e)}`);
    assert.equal(e.message.split('\n').length, e.issues.length);
    return e.message.split('\n');
  }
  assert.fail('expected a ConfigError');
}

describe('parseConfig', () => {
  test('the seed §8.8.3 block parses verbatim', () => {
    const c = parseConfig(SEED_8_8_3, 'seed.toml');
    assert.deepEqual(c.multipath, {
      enabled: true,
      mode: 'aggregate',
      interfaces: ['eth0', 'eth1', 'wwan0'],
      weights: { eth0: 1, eth1: 2, wwan0: 0.5 },
      policies: { interactiveMaxRttMs: 50, bulkMinBandwidthMbps: 5, redundantCopies: 3 },
      scheduler: 'weighted',
      schedulerExplicit: false,
    });
    assert.equal(c.tunnel.mtu, 1420);
    assert.equal(c.tunnel.name, 'quicether0');
    assert.equal(c.control.socket, '/run/quicether/helper.sock');
  });

  test('an empty file gives the defaults', () => {
    const c = parseConfig('', 'empty.toml');
    assert.equal(c.multipath.mode, 'aggregate');
    assert.deepEqual(c.multipath.interfaces, []);
    assert.deepEqual(c.peers, []);
    assert.equal(c.tunnel.address, undefined);
  });

  test('a full file: paths resolved against the file directory, addresses parsed', () => {
    const c = parseConfig(FULL, '/etc/quicether/helper.toml');
    assert.equal(c.node.keyFile, '/etc/quicether/keys/node.key');
    assert.equal(c.node.certFile, '/etc/quicether/node.crt');
    assert.deepEqual(c.node.listen, { host: '0.0.0.0', port: 4433 });
    assert.equal(c.tunnel.address && formatCidr(c.tunnel.address), '198.19.0.2/24');
    assert.equal(c.peers.length, 2);
    assert.deepEqual(c.peers[0]!.endpoint, { host: 'gw.example.net', port: 4433 });
    assert.deepEqual(c.peers[0]!.allowedIps.map(formatCidr), [
      '198.19.0.1/32',
      '198.19.0.0/16',
      'fd00:19::/64',
    ]);
    assert.equal(c.peers[1]!.endpoint, undefined, 'gateway-side peer that only connects in');
    assert.equal(c.multipath.mode, 'failover');
    assert.equal(c.multipath.scheduler, 'redundant');
    assert.equal(c.control.group, 'quicether');
  });

  test('scheduler default follows the mode', () => {
    assert.equal(parseConfig('[multipath]\nmode = "failover"', 'x').multipath.scheduler, 'latency');
    const off = parseConfig('[multipath]\nenabled = false', 'x').multipath;
    assert.equal(off.mode, 'disable');
    assert.equal(off.enabled, false);
  });
});

describe('config error messages', () => {
  test('unknown keys are errors, named by full path', () => {
    assert.deepEqual(errorsOf('[multipath]\nenabeld = true'), ['test.toml: multipath.enabeld: unknown key']);
    assert.deepEqual(errorsOf('[nodes]\nx = 1'), ['test.toml: nodes: unknown key']);
    assert.deepEqual(errorsOf('[multipath.policies]\nmax_rtt = 5'), [
      'test.toml: multipath.policies.max_rtt: unknown key',
    ]);
  });

  test('redundant_copies: a whole number from 2 to 4, default 3', () => {
    assert.equal(parseConfig('', 'x').multipath.policies.redundantCopies, 3);
    assert.equal(
      parseConfig('[multipath.policies]\nredundant_copies = 2', 'x').multipath.policies.redundantCopies,
      2,
    );
    for (const bad of ['1', '5', '2.5'])
      assert.deepEqual(errorsOf(`[multipath.policies]\nredundant_copies = ${bad}`), [
        `test.toml: multipath.policies.redundant_copies: must be a whole number from 2 to 4, got ${bad}`,
      ]);
  });

  test('wrong types say what was expected and what was found', () => {
    assert.deepEqual(errorsOf('[multipath.weights]\neth0 = "fast"'), [
      'test.toml: multipath.weights.eth0: expected a number, got a string ("fast")',
    ]);
    assert.deepEqual(errorsOf('[multipath]\nmode = "turbo"'), [
      'test.toml: multipath.mode: must be one of "aggregate", "failover", "disable"; got a string ("turbo")',
    ]);
    assert.deepEqual(errorsOf('[tunnel]\nmtu = 1420.5'), [
      'test.toml: tunnel.mtu: expected an integer, got a number (1420.5)',
    ]);
    assert.deepEqual(errorsOf('[[peers]]\nallowed_ips = []'), [
      'test.toml: peers[0].node_id: is required (a string)',
    ]);
    assert.deepEqual(errorsOf('[multipath.weights]\neth0 = inf'), [
      'test.toml: multipath.weights.eth0: expected a number, got Infinity',
    ]);
  });

  test('semantic problems, all reported at once', () => {
    const lines = errorsOf(`
[tunnel]
address = "198.19.0.2"
mtu = 100
[[peers]]
node_id = "a"
endpoint = "gw:99999"
allowed_ips = ["198.19.0.1/24"]
[[peers]]
node_id = "a"
[multipath]
interfaces = ["eth0", "eth0"]
[multipath.weights]
wlan0 = 1.0
eth0 = -1
`);
    assert.deepEqual(lines, [
      'test.toml: tunnel.address: "198.19.0.2" has no prefix length (expected e.g. 198.19.0.2/32)',
      'test.toml: tunnel.mtu: 100 is outside 576-9000',
      'test.toml: peers[0].endpoint: port 99999 is outside 1-65535',
      'test.toml: peers[0].allowed_ips[0]: "198.19.0.1/24" has host bits set (did you mean 198.19.0.0/24?)',
      'test.toml: peers[1].node_id: duplicate of peers[0].node_id',
      'test.toml: multipath.interfaces[1]: "eth0" is listed twice',
      'test.toml: multipath.weights.wlan0: "wlan0" is not in multipath.interfaces',
      'test.toml: multipath.weights.eth0: weight must be greater than 0, got -1',
    ]);
  });

  test('contradictions and pairs', () => {
    assert.deepEqual(errorsOf('[multipath]\nenabled = false\nmode = "aggregate"'), [
      'test.toml: multipath.mode: is "aggregate" but multipath.enabled = false (use mode = "disable" or remove one)',
    ]);
    assert.deepEqual(errorsOf('[node]\nkey_file = "k"'), [
      'test.toml: node.cert_file: is required when node.key_file is set',
    ]);
    assert.deepEqual(errorsOf('[control]\nsocket = "helper.sock"'), [
      'test.toml: control.socket: must be an absolute path, got "helper.sock"',
    ]);
    assert.deepEqual(errorsOf('[node]\nlisten = "[::1]4433"'), [
      'test.toml: node.listen: "[::1]4433" is not "[IPv6]:port"',
    ]);
    assert.deepEqual(errorsOf('[node]\nlisten = "example.com:4433"'), [
      'test.toml: node.listen: "example.com" is not an IP address',
    ]);
  });

  test('TOML syntax errors give line and column', () => {
    assert.deepEqual(errorsOf('[multipath]\nenabled = = true'), [
      'test.toml: line 2, column 11: TOML syntax: invalid value',
    ]);
  });

  test('__proto__ keys are reported, not silently dropped', () => {
    assert.deepEqual(errorsOf('[multipath.weights]\n__proto__ = 1.0'), [
      'test.toml: multipath.weights.__proto__: the key name "__proto__" is not supported',
    ]);
  });

  test('quoted keys are shown quoted', () => {
    assert.deepEqual(errorsOf('[multipath.weights]\n"eth 0" = 1.0'), [
      'test.toml: multipath.weights."eth 0": "eth 0" is not a valid interface name (letters, digits, "_", ".", "@", "-")',
    ]);
  });

  test('never throws anything but ConfigError on arbitrary text', () => {
    const tomlish = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc
        .array(
          fc.oneof(
            fc.constantFrom(
              '[multipath]',
              '[multipath.weights]',
              '[[peers]]',
              '[tunnel]',
              '[node]',
              '[control]',
            ),
            fc
              .tuple(
                fc.constantFrom(
                  'enabled',
                  'mode',
                  'interfaces',
                  'eth0',
                  'mtu',
                  'address',
                  'node_id',
                  'allowed_ips',
                  'listen',
                  'x',
                ),
                fc.oneof(
                  fc.json(),
                  fc.constantFrom('"aggregate"', '["eth0"]', '1.5', 'true', '"198.19.0.1/32"'),
                ),
              )
              .map(([k, v]) => `${k} = ${v}`),
          ),
          { maxLength: 12 },
        )
        .map((lines) => lines.join('\n')),
    );
    let parsed = 0;
    fc.assert(
      fc.property(tomlish, (text) => {
        try {
          parseConfig(text, 'fuzz.toml');
          parsed++;
        } catch (e) {
          assert.ok(e instanceof ConfigError, String(e));
          assert.ok(e.issues.length > 0);
          for (const line of e.message.split('\n')) assert.ok(line.startsWith('fuzz.toml: '), line);
        }
      }),
      { numRuns: 1500 },
    );
    assert.ok(parsed > 0, 'some generated files should be valid');
  });
});

describe('CLI overrides', () => {
  const base = (): Config => parseConfig(SEED_8_8_3, 'seed.toml');

  test('--interfaces and --multipath (seed §8.8.1)', () => {
    const c = applyCliOverrides(base(), { interfaces: 'eth0', multipath: 'disable' });
    assert.deepEqual(c.multipath.interfaces, ['eth0']);
    assert.deepEqual(c.multipath.weights, { eth0: 1 }, 'weights of dropped interfaces are dropped');
    assert.equal(c.multipath.mode, 'disable');
    assert.equal(c.multipath.enabled, false);
    assert.equal(c.multipath.scheduler, 'round-robin');
  });

  test('seed §8.8.2 form and the input is not modified', () => {
    const b = base();
    const c = applyCliOverrides(b, { interfaces: 'wlan0, wwan0', multipath: 'aggregate' });
    assert.deepEqual(c.multipath.interfaces, ['wlan0', 'wwan0']);
    assert.deepEqual(b.multipath.interfaces, ['eth0', 'eth1', 'wwan0']);
    assert.equal(c.multipath.scheduler, 'weighted');
  });

  test('an explicit scheduler in the file survives a mode override', () => {
    const c = applyCliOverrides(parseConfig('[multipath]\nscheduler = "redundant"', 'x'), {
      multipath: 'failover',
    });
    assert.equal(c.multipath.scheduler, 'redundant');
  });

  test('bad overrides are ConfigErrors naming the flag', () => {
    assert.throws(
      () => applyCliOverrides(base(), { multipath: 'fast', interfaces: ',' }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message ===
          'command line: --interfaces: needs at least one interface name\n' +
            'command line: --multipath: must be one of aggregate, failover, disable; got "fast"',
    );
  });
});

describe('loadConfig', () => {
  test('reads a file, resolves relative paths against its directory, reports missing files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'quicether-config-'));
    try {
      const file = join(dir, 'helper.toml');
      await writeFile(file, `[node]\nidentity_dir = "id"\n${SEED_8_8_3}`);
      const c = await loadConfig(file);
      assert.equal(c.node.identityDir, join(dir, 'id'));
      assert.equal(c.source, file);
      await assert.rejects(loadConfig(join(dir, 'missing.toml')), (e: unknown) => {
        return (
          e instanceof ConfigError &&
          e.message === `${join(dir, 'missing.toml')}: cannot read config: no such file`
        );
      });
      await writeFile(file, '[multipath]\nmode = 3\n');
      await assert.rejects(
        loadConfig(file),
        (e: unknown) => e instanceof ConfigError && e.message.startsWith(`${file}: multipath.mode: `),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

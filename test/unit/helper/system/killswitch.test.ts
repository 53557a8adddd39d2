import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KillSwitchError, parseBlocked, renderKillSwitch } from '../../../../app/helper/system/killswitch.ts';

const BASE = {
  tunName: 'quicether0',
  endpoints: [{ host: '198.18.0.1', port: 4433 }],
  allowLan: false,
  owner: { kind: 'uid', uid: 0 },
} as const;

const GOLDEN = `# quicether kill switch: generated, replaced as a whole (see app/helper/system/killswitch.ts)
table inet quicether_ks
delete table inet quicether_ks
table inet quicether_ks {
  comment "quicether kill switch"
  chain output {
    type filter hook output priority filter; policy drop;
    oifname "lo" accept
    oifname "quicether0" accept
    ip daddr 198.18.0.1 udp dport 4433 meta skuid 0 accept
    udp sport 68 udp dport 67 accept
    ip6 daddr ff02::1:2 udp sport 546 udp dport 547 accept
    icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept
    ip6 daddr ff02::/16 icmpv6 type { mld-listener-report, mld-listener-done, mld2-listener-report } ip6 hoplimit 1 accept
    counter reject with icmpx type admin-prohibited
  }
  chain input {
    type filter hook input priority filter; policy drop;
    iifname "lo" accept
    iifname "quicether0" accept
    ip saddr 198.18.0.1 udp sport 4433 accept
    ct state established,related accept
    udp sport 67 udp dport 68 accept
    ip6 saddr fe80::/10 udp sport 547 udp dport 546 accept
    icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, nd-redirect } ip6 hoplimit 255 accept
    counter drop
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    oifname "quicether0" accept
    iifname "quicether0" ct state established,related accept
    counter drop
  }
}
`;

describe('renderKillSwitch', () => {
  test('golden text: one table, declared, deleted and re-created in one transaction', () => {
    assert.equal(renderKillSwitch(BASE), GOLDEN);
  });

  test('the replacement is atomic: declare + delete come before the only definition', () => {
    const lines = renderKillSwitch(BASE).split('\n');
    const declare = lines.indexOf('table inet quicether_ks');
    const del = lines.indexOf('delete table inet quicether_ks');
    const def = lines.indexOf('table inet quicether_ks {');
    assert.ok(declare >= 0 && declare < del && del < def);
    assert.equal(lines.filter((l) => l.startsWith('table ')).length, 2);
  });

  test('every base chain drops by default and ends in a counted refusal', () => {
    const text = renderKillSwitch(BASE);
    assert.equal(text.match(/policy drop;/g)?.length, 3);
    assert.match(text, /counter reject with icmpx type admin-prohibited\n {2}\}\n {2}chain input/);
  });

  test('IPv6 endpoints, several endpoints, and the LAN flag', () => {
    const text = renderKillSwitch({
      ...BASE,
      endpoints: [
        { host: '198.18.0.1', port: 4433 },
        { host: '2001:db8::7', port: 443 },
      ],
      allowLan: true,
    });
    assert.match(text, /ip6 daddr 2001:db8::7 udp dport 443 meta skuid 0 accept/);
    assert.match(text, /ip6 saddr 2001:db8::7 udp sport 443 accept/);
    assert.match(text, /set lan4 \{ type ipv4_addr; flags interval; elements = \{ 10\.0\.0\.0\/8,/);
    assert.match(text, /ip daddr @lan4 accept/);
    assert.match(text, /ip6 saddr @lan6 accept/);
    assert.doesNotMatch(renderKillSwitch(BASE), /lan4/);
  });

  test('owner choices: uid, cgroupv2, any', () => {
    assert.match(
      renderKillSwitch({ ...BASE, owner: { kind: 'uid', uid: 997 } }),
      /dport 4433 meta skuid 997 accept/,
    );
    assert.match(
      renderKillSwitch({
        ...BASE,
        owner: { kind: 'cgroupv2', level: 2, path: 'system.slice/quicether-helper.service' },
      }),
      /dport 4433 socket cgroupv2 level 2 "system.slice\/quicether-helper.service" accept/,
    );
    assert.match(renderKillSwitch({ ...BASE, owner: { kind: 'any' } }), /udp dport 4433 accept/);
  });

  test('owner DNS opens port 53 to the named resolvers only, for the owner only', () => {
    const text = renderKillSwitch({ ...BASE, ownerDns: ['198.18.9.9'] });
    assert.match(text, /ip daddr 198\.18\.9\.9 udp dport 53 meta skuid 0 accept/);
    assert.match(text, /ip daddr 198\.18\.9\.9 tcp dport 53 meta skuid 0 accept/);
    assert.doesNotMatch(renderKillSwitch(BASE), /dport 53/);
  });

  test('rejects anything that could inject into the ruleset', () => {
    const bad = [
      { ...BASE, tunName: 'quicether0" accept; #' },
      { ...BASE, tunName: '' },
      { ...BASE, endpoints: [{ host: 'gw.example.net', port: 4433 }] },
      { ...BASE, endpoints: [{ host: '198.18.0.1 accept', port: 4433 }] },
      { ...BASE, endpoints: [{ host: '198.18.0.1', port: 0 }] },
      { ...BASE, endpoints: [{ host: '198.18.0.1', port: 70000 }] },
      { ...BASE, ownerDns: ['resolver'] },
      { ...BASE, owner: { kind: 'uid', uid: -1 } },
      { ...BASE, owner: { kind: 'cgroupv2', level: 1, path: 'a" accept' } },
      { ...BASE, owner: { kind: 'cgroupv2', level: 1, path: '../../x' } },
    ] as const;
    for (const o of bad) assert.throws(() => renderKillSwitch(o), KillSwitchError, JSON.stringify(o));
  });
});

describe('parseBlocked', () => {
  test('sums counter packets per chain', () => {
    const json = JSON.stringify({
      nftables: [
        { metainfo: {} },
        { table: { family: 'inet', name: 'quicether_ks' } },
        { rule: { chain: 'output', expr: [{ counter: { packets: 7, bytes: 588 } }, { reject: null }] } },
        { rule: { chain: 'output', expr: [{ match: {} }, { accept: null }] } },
        { rule: { chain: 'input', expr: [{ counter: { packets: 3, bytes: 100 } }, { drop: null }] } },
        { rule: { chain: 'forward', expr: [{ counter: { packets: 0, bytes: 0 } }, { drop: null }] } },
      ],
    });
    assert.deepEqual(parseBlocked(json), { output: 7, input: 3, forward: 0 });
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../../../app/helper/config/index.ts';

const base = `
[tunnel]
address = "198.19.0.2/24"

[[peers]]
node_id = "qe1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
endpoint = "198.18.0.1:4433"
allowed_ips = ["198.19.0.0/24"]
`;

test('[killswitch] and [dns] default off and parse when given', () => {
  const off = parseConfig(base, 'c.toml');
  assert.deepEqual(off.killswitch, { enabled: false, allowLan: false });
  assert.deepEqual(off.dns, { servers: [], search: [] });
  const on = parseConfig(
    `${base}\n[killswitch]\nenabled = true\nallow_lan = true\n[dns]\nservers = ["198.19.0.1"]\nsearch = ["corp.example"]\n`,
    'c.toml',
  );
  assert.deepEqual(on.killswitch, { enabled: true, allowLan: true });
  assert.deepEqual(on.dns, { servers: ['198.19.0.1'], search: ['corp.example'] });
});

test('a resolver outside every peer prefix is refused, naming the key', () => {
  assert.throws(
    () => parseConfig(`${base}\n[dns]\nservers = ["9.9.9.9"]\n`, 'c.toml'),
    (e: unknown) =>
      e instanceof ConfigError &&
      /c\.toml: dns\.servers\[0\]: 9\.9\.9\.9 is not inside any peer's allowed_ips/.test(e.message),
  );
});

test('unknown keys and bad values in the new tables are errors', () => {
  assert.throws(
    () => parseConfig(`${base}\n[killswitch]\nenable = true\n`, 'c.toml'),
    /killswitch\.enable: unknown key/,
  );
  assert.throws(
    () => parseConfig(`${base}\n[dns]\nservers = ["not-an-ip"]\n`, 'c.toml'),
    /dns\.servers\[0\]: not an IPv4 address/,
  );
  assert.throws(
    () => parseConfig(`${base}\n[dns]\nsearch = ["bad domain"]\n`, 'c.toml'),
    /dns\.search\[0\]: not a domain name/,
  );
});

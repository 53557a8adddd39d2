import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeHelper, mulberry32 } from '../../../app/helper/control/fake-helper.ts';
import {
  isLoopbackAddress,
  renderPrometheus,
  startMetricsHttp,
} from '../../../app/helper/control/metrics-http.ts';

describe('metrics-http', () => {
  test('refuses every non-loopback address', async () => {
    const source = new FakeHelper({ now: () => 0, random: mulberry32(1) });
    for (const host of ['0.0.0.0', '::', '192.0.2.1', '198.18.0.1', 'example.com', '::ffff:10.0.0.1']) {
      await assert.rejects(startMetricsHttp({ source, host, port: 0 }), /only loopback/, host);
    }
    assert.equal(isLoopbackAddress('127.0.0.1'), true);
    assert.equal(isLoopbackAddress('127.9.9.9'), true);
    assert.equal(isLoopbackAddress('::1'), true);
  });

  test('serves the Prometheus text format from the sample source on loopback', async () => {
    let t = 0;
    const source = new FakeHelper({ now: () => t, random: mulberry32(1), connectDelayMs: 0 });
    await source.connect();
    t = 1_000;
    const m = await startMetricsHttp({ source, port: 0 });
    try {
      assert.equal(m.host, '127.0.0.1');
      const res = await fetch(`http://127.0.0.1:${m.port}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const body = await res.text();
      assert.match(body, /^# HELP quicether_session_state/m);
      assert.match(body, /^quicether_session_state\{state="connected"\} 1$/m);
      assert.match(body, /^quicether_path_rtt_seconds\{path="0",interface="eth0",state="active"\} 0\.\d+$/m);
      assert.match(body, /^quicether_helper_cpu_ratio\{core="1"\} [\d.]+$/m);
      for (const line of body.trim().split('\n'))
        assert.match(line, /^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?[\d.e+-]+)$/, line);
      assert.equal((await fetch(`http://127.0.0.1:${m.port}/other`)).status, 404);
    } finally {
      await m.close();
    }
  });

  test('label values are escaped', () => {
    const text = renderPrometheus({
      atMs: 0,
      session: 'connected',
      paths: [
        {
          pathId: 1,
          interface: 'a"b',
          state: 'active',
          rttMs: 1,
          rttVarMs: 0,
          loss: 0,
          txBps: 0,
          rxBps: 0,
          share: 0,
          cwndBytes: 0,
          reorderEvents: 0,
        },
      ],
      aggregate: { txBps: 0, rxBps: 0 },
      cpuPerCore: [],
    });
    assert.match(text, /interface="a\\"b"/);
  });
});

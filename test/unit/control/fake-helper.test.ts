import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeHelper, mulberry32 } from '../../../app/helper/control/fake-helper.ts';
import { StatsSampleSchema, StatusSchema } from '../../../app/protocol/schema.ts';

function clocked(seed = 3) {
  const clock = { t: 0 };
  const h = new FakeHelper({ now: () => clock.t, random: mulberry32(seed), connectDelayMs: 300 });
  return { clock, h };
}

describe('FakeHelper (test double)', () => {
  test('same seed and clock give the same numbers', async () => {
    const a = clocked(9);
    const b = clocked(9);
    for (const x of [a, b]) {
      await x.h.connect();
      x.clock.t = 1_000;
    }
    assert.deepEqual(a.h.sample(), b.h.sample());
    assert.notDeepEqual(a.h.sample(), clocked(10).h.sample());
  });

  test('target is kept apart from actual state; state follows the clock', async () => {
    const { clock, h } = clocked();
    const s0 = await h.connect();
    assert.deepEqual([s0.target, s0.state], ['connected', 'connecting']);
    clock.t = 299;
    assert.equal((await h.status()).state, 'connecting');
    clock.t = 300;
    assert.equal((await h.status()).state, 'connected');
    clock.t = 400;
    assert.ok(h.sample().paths.every((p) => p.state === 'probing'));
    clock.t = 1_000;
    const s = h.sample();
    assert.ok(StatsSampleSchema.safeParse(s).success);
    assert.deepEqual(
      s.paths.map((p) => p.state),
      ['active', 'active', 'active'],
    );
    assert.ok(Math.abs(s.paths.reduce((t, p) => t + p.share, 0) - 1) < 0.01, 'shares sum to 1');
    assert.ok(s.aggregate.txBps > 0 && s.cpuPerCore.length === 2);
    await h.setMode('failover');
    assert.deepEqual(
      h.sample().paths.map((p) => p.state),
      ['active', 'standby', 'standby'],
    );
    await h.setMode('disable');
    assert.equal(h.sample().paths.length, 1);
    for (const name of ['eth0', 'wlan0', 'wwan0']) await h.setInterfaceEnabled(name, false);
    assert.equal((await h.status()).state, 'degraded');
    const d = await h.disconnect();
    assert.deepEqual([d.target, d.state], ['disconnected', 'disconnecting']);
    clock.t = 2_000;
    const end = await h.status();
    assert.ok(StatusSchema.safeParse(end).success);
    assert.equal(end.state, 'disconnected');
    assert.equal(h.sample().paths.length, 0);
  });

  test('setStalled: the path reports stalled and carries nothing until it answers again', async () => {
    const { clock, h } = clocked();
    await h.connect();
    clock.t = 1_000;
    h.setStalled('wlan0', true);
    const s = h.sample();
    assert.ok(StatsSampleSchema.safeParse(s).success);
    const w = s.paths.find((p) => p.interface === 'wlan0');
    assert.equal(w?.state, 'active');
    assert.equal(w?.stalled, true);
    assert.deepEqual([w?.txBps, w?.rxBps, w?.share], [0, 0, 0]);
    for (const p of s.paths.filter((x) => x.interface !== 'wlan0')) {
      assert.equal('stalled' in p, false, 'absent when not stalled');
      assert.ok(p.txBps > 0);
    }
    h.setStalled('wlan0', false);
    const again = h.sample().paths.find((p) => p.interface === 'wlan0');
    assert.equal('stalled' in (again ?? {}), false);
    assert.ok((again?.txBps ?? 0) > 0);
    assert.throws(() => h.setStalled('nope0', true), /no interface named nope0/);
  });

  test('samples stay valid over a long random run', async () => {
    const { clock, h } = clocked(77);
    await h.connect();
    for (let i = 0; i < 2_000; i++) {
      clock.t += 100;
      assert.ok(StatsSampleSchema.safeParse(h.sample()).success);
    }
  });
});

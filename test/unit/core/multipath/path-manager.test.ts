import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PathManager } from '../../../../app/core/multipath/path-manager.ts';
import type { PathEvent, PathState } from '../../../../app/core/multipath/path-state.ts';
import { newPathView } from '../../../../app/core/multipath/path-view.ts';
import { DEFAULT_PATH_TUNING } from '../../../../app/core/multipath/tuning.ts';
import { type Millis, millis, type PathId, pathId } from '../../../../app/core/types.ts';

const A = pathId(0);
const B = pathId(1);

/**
 * A minimal driver: follows pollTimeout, sends every requested probe, and answers it after
 * `rtt(path, now)` ms (null = the probe is lost). Records every event with its time.
 */
class Driver {
  now = 0;
  readonly log: { t: number; e: PathEvent }[] = [];
  private acks: { t: number; id: PathId; seq: number }[] = [];
  rtt: (id: PathId, now: number) => number | null = () => 20;

  constructor(readonly pm: PathManager) {}

  private drain(): void {
    for (let e = this.pm.pollEvent(); e; e = this.pm.pollEvent()) {
      this.log.push({ t: this.now, e });
      if (e.type === 'send-probe') {
        this.pm.handleProbeSent(e.pathId, e.seq, this.now as Millis);
        const r = this.rtt(e.pathId, this.now);
        if (r !== null) this.acks.push({ t: this.now + r, id: e.pathId, seq: e.seq });
      }
    }
  }

  run(until: number): void {
    this.drain();
    for (;;) {
      const pt = this.pm.pollTimeout() ?? Number.POSITIVE_INFINITY;
      this.acks.sort((a, b) => a.t - b.t);
      const at = this.acks[0]?.t ?? Number.POSITIVE_INFINITY;
      const t = Math.min(pt, at);
      if (t > until) break;
      this.now = Math.max(this.now, t);
      if (at <= pt) {
        const a = this.acks.shift();
        if (a) this.pm.handleProbeAck(a.id, a.seq, millis(this.now));
      } else {
        this.pm.handleTimeout(millis(this.now));
      }
      this.drain();
    }
    this.now = until;
  }

  states(id: PathId): { t: number; s: PathState }[] {
    return this.log.flatMap(({ t, e }) =>
      e.type === 'state-changed' && e.pathId === id ? [{ t, s: e.state }] : [],
    );
  }

  probes(id: PathId, from = 0, to = Number.POSITIVE_INFINITY): number {
    return this.log.filter(({ t, e }) => e.type === 'send-probe' && e.pathId === id && t >= from && t < to)
      .length;
  }
}

function activePair(): Driver {
  const d = new Driver(new PathManager());
  d.pm.addPath(A, { priority: 0 }, millis(0));
  d.pm.addPath(B, { priority: 1 }, millis(0));
  d.run(1000);
  assert.equal(d.pm.state(A)?.kind, 'active');
  assert.equal(d.pm.state(B)?.kind, 'active');
  return d;
}

describe('PathManager', () => {
  test('probing → active after two answered probes (250 ms apart)', () => {
    const d = new Driver(new PathManager());
    d.pm.addPath(A, {}, millis(0));
    d.run(2000);
    const s = d.states(A);
    assert.deepEqual(
      s.map((x) => [x.t, x.s.kind]),
      [
        [0, 'probing'],
        [270, 'active'],
      ],
    );
    assert.equal(d.pm.metrics(A, millis(2000))?.srttMs, 20);
  });

  test('three lost probes → failed; re-probe backoff doubles 1 s → 30 s cap', () => {
    const d = new Driver(new PathManager());
    d.rtt = () => null;
    d.pm.addPath(A, {}, millis(0));
    d.run(200_000);
    const fails = d.states(A).filter((x) => x.s.kind === 'failed');
    const backoffs = fails.map((x) => (x.s.kind === 'failed' ? x.s.backoffMs : -1));
    assert.deepEqual(backoffs.slice(0, 8), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    // Before any RTT sample the probe timeout is 1 s: probes at 0, 250, 500 are lost at 1000,
    // 1250, 1500.
    assert.equal(fails[0]?.t, 1500);
    const reprobe = d.states(A).find((x) => x.s.kind === 'probing' && x.t > 0);
    assert.equal(reprobe?.t, 2500);
  });

  test('a path answering again after failures comes back and its backoff restarts on link up', () => {
    const d = new Driver(new PathManager());
    let dead = true;
    d.rtt = () => (dead ? null : 30);
    d.pm.addPath(A, {}, millis(0));
    d.run(5000);
    assert.equal(d.pm.state(A)?.kind, 'failed');
    dead = false;
    d.run(20_000);
    assert.equal(d.pm.state(A)?.kind, 'active');
  });

  test('link down fails at once and stops probing; link up probes at once', () => {
    const d = activePair();
    d.pm.handleLinkDown(A, millis(1000));
    d.run(60_000);
    const s = d.pm.state(A);
    assert.ok(s?.kind === 'failed' && s.reason === 'link-down' && s.retryAt === null);
    assert.equal(d.probes(A, 1000), 0, 'no probes while the link is down');
    d.now = 60_000;
    d.pm.handleLinkUp(A, millis(60_000));
    d.run(61_000);
    assert.equal(d.pm.state(A)?.kind, 'active');
    assert.equal(d.states(A).find((x) => x.t === 60_000)?.s.kind, 'probing');
  });

  test('idle paths are probed every second; acked traffic replaces probes', () => {
    const d = activePair();
    d.run(11_000);
    assert.equal(d.probes(A, 1000, 11_000), 10);
    // Traffic acked every 100 ms on B for 10 s: B needs no probe.
    for (let t = 11_000; t < 21_000; t += 100) {
      d.run(t);
      d.pm.handleTrafficSent(B, 1200, millis(t));
      d.pm.handleTrafficAcked(B, 1200, millis(t + 20));
    }
    assert.equal(d.probes(B, 11_100, 21_000), 0);
    assert.ok(d.probes(A, 11_000, 21_000) >= 9);
  });

  test('a busy path whose transport RTT is not trusted is still probed, for RTT samples', () => {
    const d = activePair();
    // Traffic acked every 100 ms on B for 10 s, but its window is 3 datagrams: quiche's RTT
    // (climbing a second per second) is no sample, the probes are.
    let quicheRtt = 20;
    for (let t = 1000; t < 11_000; t += 100) {
      d.run(t);
      d.pm.handleTrafficSent(B, 1200, millis(t));
      d.pm.handleTrafficAcked(B, 1200, millis(t + 20));
      quicheRtt += 100;
      d.pm.handleStats(
        B,
        { rttMs: quicheRtt, cwnd: 3 * 1350, sent: t, lost: 0, deliveryRate: 0, datagramSize: 1350 },
        millis(t + 20),
      );
    }
    assert.ok(d.probes(B, 1100, 11_000) >= 9, `probes on B: ${d.probes(B, 1100, 11_000)}`);
    const m = d.pm.metrics(B, millis(11_000));
    assert.ok(m && Math.abs(m.srttMs - 20) < 1, `srtt ${m?.srttMs}`);
    assert.equal(d.pm.state(B)?.kind, 'active');
  });

  test('traffic that goes unanswered makes a busy path suspect; it fails within ~1 s', () => {
    const d = activePair();
    for (let t = 1000; t < 5000; t += 10) {
      d.run(t);
      d.pm.handleTrafficSent(A, 1200, millis(t));
      d.pm.handleTrafficAcked(A, 1200, millis(t));
    }
    d.rtt = (id) => (id === A ? null : 20);
    for (let t = 5000; t < 8000; t += 10) {
      d.run(t);
      d.pm.handleTrafficSent(A, 1200, millis(t));
    }
    const failed = d.states(A).find((x) => x.s.kind === 'failed');
    assert.ok(failed, 'A failed');
    // Silence timeout 300 ms (RTO floor) + three fast probes lost (300 ms timeout, 250 ms apart).
    assert.ok(failed.t > 5000 && failed.t <= 6200, `failed at ${failed.t}`);
    assert.equal(d.pm.state(B)?.kind, 'active');
  });

  test('unanswered traffic marks the view stalled after the silence timeout; an answer clears it', () => {
    const d = activePair();
    const view = newPathView(A);
    for (let t = 1000; t < 3000; t += 10) {
      d.run(t);
      d.pm.handleTrafficSent(A, 1200, millis(t));
      d.pm.handleTrafficAcked(A, 1200, millis(t));
    }
    d.pm.writeView(view, millis(3000));
    assert.equal(view.stalled, false);
    d.rtt = (id) => (id === A ? null : 20);
    let stalledAt = Number.NaN;
    for (let t = 3000; t < 3600; t += 10) {
      d.run(t);
      d.pm.handleTrafficSent(A, 1200, millis(t));
      d.pm.writeView(view, millis(t));
      if (view.stalled && Number.isNaN(stalledAt)) stalledAt = t;
    }
    // The last ack was at 2990; the silence timeout is 300 ms (the RTT-based timeout's floor).
    assert.ok(stalledAt >= 3290 && stalledAt <= 3320, `stalled at ${stalledAt}`);
    assert.equal(d.pm.state(A)?.kind, 'active', 'stalled is not failed yet');
    assert.equal(d.pm.stalled(A), true, 'the same answer without a view');
    assert.equal(d.pm.stalled(B), false);
    d.pm.handleTrafficAcked(A, 1200, millis(3600));
    d.pm.writeView(view, millis(3600));
    assert.equal(view.stalled, false, 'anything answered clears it');
    // Silent again until the path fails: a Failed path is failed, not stalled.
    for (let t = 3610; t < 6000; t += 10) {
      d.run(t);
      d.pm.handleTrafficSent(A, 1200, millis(t));
    }
    d.pm.writeView(view, millis(6000));
    assert.equal(view.state, 'failed');
    assert.equal(view.stalled, false);
    assert.equal(d.pm.stalled(A), false);
  });

  test('a late answer to a timed-out probe proves the path alive (loss streak reset)', () => {
    const d = activePair();
    let n = 0;
    // Every probe on A is answered after 500 ms: past the 300 ms timeout, but answered.
    d.rtt = (id) => (id === A ? (n++ % 2 === 0 ? 500 : null) : 20);
    d.run(30_000);
    assert.equal(d.states(A).filter((x) => x.s.kind === 'failed').length, 0, 'never three losses in a row');
  });
});

describe('PathManager quality hysteresis', () => {
  const stats = (rttMs: number, sent: number, lost: number) => ({
    rttMs,
    cwnd: 1e5,
    sent,
    lost,
    deliveryRate: 0,
  });

  test('demoted after exactly N consecutive bad evaluations; a neutral one breaks the streak', () => {
    const d = activePair();
    const pm = d.pm;
    const N = DEFAULT_PATH_TUNING.qualitySamples;
    let t = 1000;
    let sent = 0;
    let lost = 0;
    let rtt = 20;
    const feed = (s: number, l: number): void => {
      sent += s;
      lost += l;
      rtt = rtt === 20 ? 20.5 : 20; // quiche's RTT moved: a fresh sample each time
      t += 100;
      pm.handleStats(B, stats(rtt, sent, lost), millis(t));
    };
    feed(0, 0); // counters baseline
    for (let i = 0; i < N - 1; i++) feed(1e6, 1e6);
    assert.equal(pm.state(B)?.kind, 'active', `${N - 1} bad evaluations are not enough`);
    feed(3 * (N - 1) * 1e6, 0); // loss ratio 0.25: neither good nor bad
    const ratio = pm.metrics(B, millis(t))?.lossRatio ?? 0;
    assert.ok(ratio > 0.24 && ratio < 0.26, `loss ratio ${ratio}`);
    for (let i = 0; i < N - 1; i++) feed(1e8, 1e8);
    assert.equal(pm.state(B)?.kind, 'active', 'the neutral evaluation restarted the streak');
    feed(1e8, 1e8);
    assert.equal(pm.state(B)?.kind, 'standby');
    // Promotion needs the loss window to clear (10 s) and N good evaluations.
    t += 11_000;
    for (let i = 0; i < N - 1; i++) feed(1000, 0);
    assert.equal(pm.state(B)?.kind, 'standby');
    feed(1000, 0);
    assert.equal(pm.state(B)?.kind, 'active');
  });

  test('the last Active path is never demoted', () => {
    const d = new Driver(new PathManager());
    d.pm.addPath(A, {}, millis(0));
    d.run(1000);
    for (let i = 1; i < 20; i++)
      d.pm.handleStats(A, stats(20 + (i % 2), i * 1000, i * 1000), millis(1000 + i * 100));
    assert.equal(d.pm.state(A)?.kind, 'active');
  });

  test('RTT inflated far past its own baseline demotes', () => {
    const d = activePair();
    let t = 1000;
    for (let i = 0; i < 40 && d.pm.state(B)?.kind === 'active'; i++) {
      t += 100;
      d.pm.handleStats(B, stats(400 + i, 0, 0), millis(t));
    }
    assert.equal(d.pm.state(B)?.kind, 'standby');
    assert.equal(d.pm.state(A)?.kind, 'active');
  });

  test('when the only Active path fails, the best Standby takes over at once', () => {
    const d = activePair();
    let t = 1000;
    for (let i = 0; i < 40 && d.pm.state(B)?.kind === 'active'; i++) {
      t += 100;
      d.pm.handleStats(B, stats(400 + i, 0, 0), millis(t));
    }
    assert.equal(d.pm.state(B)?.kind, 'standby');
    d.now = t;
    d.pm.handleLinkDown(A, millis(t));
    assert.equal(d.pm.state(B)?.kind, 'active');
    assert.equal(d.pm.usableCount(), 1);
  });

  test('throughput: what the path carries, before any capacity estimate', () => {
    const d = activePair();
    assert.equal(d.pm.throughput(A), 0);
    // 100 kB acked every 10 ms for 1 s: 10 MB/s, and the path was never saturated.
    for (let t = 1000; t <= 2000; t += 10) d.pm.handleTrafficAcked(A, 100_000, millis(t));
    const v = newPathView(A);
    d.pm.writeView(v, millis(2000));
    assert.equal(v.bandwidth, 0, 'no capacity estimate without saturation');
    const tp = d.pm.throughput(A);
    assert.ok(tp > 9e6 && tp < 11e6, `throughput ${tp}`);
    assert.equal(d.pm.throughput(B), 0);
    assert.equal(d.pm.throughput(pathId(7)), 0, 'unknown path');
  });

  test('writeView copies state and metrics into a caller-owned view', () => {
    const d = activePair();
    const v = {
      id: B,
      state: 'failed' as const,
      priority: 9,
      weight: 9,
      srttMs: 0,
      minRttMs: 0,
      bandwidth: 0,
      lossRatio: 1,
      balance: 1,
      stalled: true,
      quiet: true,
      canSend: false,
      canSendUrgent: false,
    };
    const view: import('../../../../app/core/multipath/path-view.ts').MutablePathView = { ...v };
    assert.equal(d.pm.writeView(view, millis(1000)), true);
    assert.equal(view.state, 'active');
    assert.equal(view.priority, 1);
    assert.equal(view.weight, 1);
    assert.equal(view.srttMs, 20);
    assert.equal(view.minRttMs, 20);
    assert.equal(view.stalled, false);
    assert.equal(view.canSend, false, 'canSend is the driver’s, untouched');
    assert.equal(view.quiet, true, 'quiet is the driver’s, untouched');
    assert.equal(d.pm.writeView({ ...view, id: pathId(7) }, millis(1000)), false);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BandwidthEstimator } from '../../../../app/core/multipath/bandwidth-estimator.ts';
import { LossWindow } from '../../../../app/core/multipath/loss-window.ts';
import {
  PathMetrics,
  TRANSPORT_RTT_MIN_CWND_DATAGRAMS,
  transportRttTrusted,
} from '../../../../app/core/multipath/path-metrics.ts';
import { RttEstimator } from '../../../../app/core/multipath/rtt-estimator.ts';
import { DEFAULT_PATH_TUNING } from '../../../../app/core/multipath/tuning.ts';
import { WindowedFilter } from '../../../../app/core/multipath/windowed-filter.ts';
import { millis } from '../../../../app/core/types.ts';

describe('RttEstimator (RFC 6298)', () => {
  test('first sample sets srtt = R, rttvar = R/2; later ones follow alpha 1/8, beta 1/4', () => {
    const r = new RttEstimator();
    assert.ok(Number.isNaN(r.srttMs));
    r.addSample(100);
    assert.equal(r.srttMs, 100);
    assert.equal(r.rttVarMs, 50);
    r.addSample(200);
    assert.equal(r.rttVarMs, 0.75 * 50 + 0.25 * 100);
    assert.equal(r.srttMs, 0.875 * 100 + 0.125 * 200);
  });

  test('ignores negative and non-finite samples', () => {
    const r = new RttEstimator();
    r.addSample(-1);
    r.addSample(Number.NaN);
    r.addSample(Number.POSITIVE_INFINITY);
    assert.equal(r.samples, 0);
  });

  test('timeout is srtt + 4 rttvar, clamped, with a fallback before any sample', () => {
    const r = new RttEstimator();
    assert.equal(r.timeoutMs(300, 3000, 1000), 1000);
    r.addSample(10);
    assert.equal(r.timeoutMs(300, 3000, 1000), 300);
    r.addSample(2000);
    assert.equal(r.timeoutMs(0, 10_000, 1000), 258.75 + 4 * 501.25);
    assert.equal(r.timeoutMs(0, 2000, 1000), 2000);
  });
});

describe('WindowedFilter', () => {
  test('max: keeps the best sample for the window, then forgets it', () => {
    const f = new WindowedFilter('max', 1000);
    f.update(10, millis(0));
    f.update(50, millis(100));
    f.update(20, millis(500));
    assert.equal(f.value, 50);
    f.update(20, millis(1000));
    assert.equal(f.value, 50);
    // 50 is older than the window now: the next best recent sample takes over.
    f.update(15, millis(1200));
    assert.equal(f.value, 20);
  });

  test('min: tracks the smallest, holds it without new input', () => {
    const f = new WindowedFilter('min', 1000);
    f.update(30, millis(0));
    f.update(10, millis(10));
    f.update(40, millis(20));
    assert.equal(f.value, 10);
    // Nothing for a long time, then one sample: the filter restarts from it.
    f.update(25, millis(5000));
    assert.equal(f.value, 25);
  });
});

describe('LossWindow', () => {
  test('ratio over the window; nothing said below the minimum sample count', () => {
    const w = new LossWindow(10_000, 10);
    w.add(5, 5, millis(0));
    assert.equal(w.ratio(millis(0)), 0, 'five packets say nothing');
    w.add(15, 1, millis(500));
    assert.equal(w.ratio(millis(500)), 6 / 20);
    assert.equal(w.samples(millis(500)), 20);
  });

  test('old buckets slide out', () => {
    const w = new LossWindow(10_000, 1);
    w.add(10, 10, millis(0));
    w.add(10, 0, millis(6000));
    assert.equal(w.ratio(millis(6000)), 0.5);
    assert.equal(w.ratio(millis(10_500)), 0, 'the lossy bucket left the window');
    assert.equal(w.samples(millis(30_000)), 0);
  });
});

describe('BandwidthEstimator', () => {
  test('capacity only from saturated samples; unknown is 0', () => {
    const b = new BandwidthEstimator(10_000, 100, 0.25);
    b.addDeliveryRate(1_000_000, false, millis(0));
    assert.equal(b.bandwidth, 0, 'app-limited sample ignored');
    b.addDeliveryRate(2_000_000, true, millis(100));
    assert.equal(b.bandwidth, 2_000_000);
  });

  test('own acked-rate measurement feeds throughput, and capacity while saturated', () => {
    const b = new BandwidthEstimator(10_000, 100, 0.5);
    b.onAcked(0, millis(0));
    b.onAcked(100_000, millis(100));
    assert.equal(b.throughput, 1_000_000);
    assert.equal(b.bandwidth, 0);
    b.addDeliveryRate(0, true, millis(150));
    b.onAcked(300_000, millis(200));
    assert.equal(b.throughput, 1_000_000 + 0.5 * (3_000_000 - 1_000_000));
    assert.equal(b.bandwidth, 3_000_000);
    b.onIdle(millis(1000));
    assert.ok(b.throughput < 2_000_000, 'throughput decays when nothing is acked');
  });
});

describe('PathMetrics', () => {
  const stats = (
    o: Partial<{
      rttMs: number;
      lost: number;
      sent: number;
      cwnd: number;
      bytesInFlight: number;
      deliveryRate: number;
      cwndLimited: boolean;
      datagramSize: number;
    }>,
  ) => ({
    rttMs: 20,
    cwnd: 100_000,
    lost: 0,
    sent: 0,
    deliveryRate: 0,
    ...o,
  });

  test('counter deltas feed the loss window; a counter reset is not a negative delta', () => {
    const m = new PathMetrics(DEFAULT_PATH_TUNING);
    m.addStats(stats({ sent: 100, lost: 0 }), millis(0));
    m.addStats(stats({ sent: 200, lost: 10 }), millis(100));
    assert.equal(m.lossRatio(millis(100)), 0.1);
    m.addStats(stats({ sent: 5, lost: 0 }), millis(200));
    assert.equal(m.lossRatio(millis(200)), 0.1);
  });

  test("quiche's RTT is a sample only when it moved", () => {
    const m = new PathMetrics(DEFAULT_PATH_TUNING);
    assert.equal(m.addStats(stats({ rttMs: 20 }), millis(0)), true);
    assert.equal(m.addStats(stats({ rttMs: 20 }), millis(100)), false);
    assert.equal(m.addStats(stats({ rttMs: 22 }), millis(200)), true);
    assert.equal(m.addStats(stats({ rttMs: Number.NaN }), millis(300)), false);
    assert.equal(m.rtt.samples, 2);
  });

  test("quiche's RTT is no sample while the window is a few datagrams (its stamps run away)", () => {
    const mds = 1350;
    const min = TRANSPORT_RTT_MIN_CWND_DATAGRAMS * mds;
    assert.equal(transportRttTrusted(stats({ cwnd: min, datagramSize: mds })), true);
    assert.equal(transportRttTrusted(stats({ cwnd: min - 1, datagramSize: mds })), false);
    assert.equal(
      transportRttTrusted(stats({ cwnd: 2 * mds })),
      true,
      'no datagram size: a driver without the flaw',
    );
    const m = new PathMetrics(DEFAULT_PATH_TUNING);
    assert.equal(m.addStats(stats({ rttMs: 3, cwnd: 100_000, datagramSize: mds }), millis(0)), true);
    // The window collapses under loss and quiche's RTT climbs a second per second: ignored.
    for (let t = 1; t <= 20; t++) {
      assert.equal(
        m.addStats(stats({ rttMs: 1000 * t, cwnd: 3514, datagramSize: mds }), millis(t * 1000)),
        false,
      );
      assert.equal(m.transportRttTrusted, false);
    }
    assert.equal(m.srttMs, 3);
    assert.equal(m.addStats(stats({ rttMs: 4, cwnd: min, datagramSize: mds }), millis(21_000)), true);
    assert.equal(m.transportRttTrusted, true);
  });

  test('delivery rate is capacity when the window was full and packets were lost; headroom', () => {
    const m = new PathMetrics(DEFAULT_PATH_TUNING);
    m.addStats(stats({ sent: 10, deliveryRate: 5e6, bytesInFlight: 99_000 }), millis(0));
    m.addStats(stats({ sent: 20, lost: 0, deliveryRate: 5e6, bytesInFlight: 99_000 }), millis(100));
    assert.equal(m.bw.bandwidth, 0, 'full window but no loss: app-limited as far as we know');
    m.addStats(stats({ sent: 30, lost: 1, deliveryRate: 6e6, cwndLimited: true }), millis(200));
    assert.equal(m.bw.bandwidth, 6e6);
    m.addStats(stats({ sent: 40, lost: 1, deliveryRate: 1e6, bytesInFlight: 40_000 }), millis(300));
    assert.equal(m.snapshot(millis(300)).headroom, 60_000);
  });
});

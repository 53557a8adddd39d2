import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRate, parseSamples, parseSsListing, summarizeTcp } from '../../bench/tcp-info.ts';

// `ss -tinH` (iproute2 6.x) during an iperf3 run with BBR over loopback: the control connection,
// the bulk flow (the most bytes acked) and the server's two ends.
const LISTING = [
  'ESTAB 0      0      127.0.0.1:58620 127.0.0.1:5999',
  '\t bbr wscale:10,10 rto:204 rtt:0.036/0.023 ato:40 mss:32768 pmtu:65535 rcvmss:536 advmss:65483 cwnd:13 bytes_sent:205 bytes_acked:206 bytes_received:4 segs_out:7 segs_in:7 data_segs_out:3 data_segs_in:4 bbr:(bw:52428796872bps,mrtt:0.005,pacing_gain:2.88672,cwnd_gain:2.88672) send 94663111111bps lastsnd:1200 lastrcv:1196 lastack:1196 pacing_rate 166344733208bps delivery_rate 52428800000bps delivered:4 app_limited rcv_space:65495 rcv_ssthresh:65495 minrtt:0.005 snd_wnd:65536',
  'ESTAB 0      131072 127.0.0.1:58628 127.0.0.1:5999',
  '\t bbr wscale:10,10 rto:204 rtt:0.181/0.025 mss:65483 pmtu:65535 rcvmss:536 advmss:65483 cwnd:18 bytes_sent:30015525 bytes_acked:29884454 segs_out:692 segs_in:242 data_segs_out:690 bbr:(bw:261932000000bps,mrtt:0.002,pacing_gain:2.88672,cwnd_gain:2.88672) send 52096972376bps lastrcv:1200 lastack:8 pacing_rate 2495171132000bps delivery_rate 95248000000bps delivered:688 app_limited unacked:3 rcv_space:65495 rcv_ssthresh:65495 minrtt:0.002 snd_wnd:1114112',
  'ESTAB 0      0      127.0.0.1:5999  127.0.0.1:58628',
  '\t bbr wscale:10,10 rto:200 rtt:0.003/0.001 ato:40 mss:32768 pmtu:65535 rcvmss:65483 advmss:65483 cwnd:10 bytes_received:30015525 segs_out:242 segs_in:692 data_segs_in:690 bbr:(bw:0bps,mrtt:0.003) send 873813333333bps lastsnd:1200 pacing_rate 2497228785112bps delivered:1 app_limited rcv_rtt:5 rcv_space:196661 rcv_ssthresh:1113626 minrtt:0.003 snd_wnd:65536',
  'ESTAB 0      0      127.0.0.1:5999  127.0.0.1:58620',
  '\t bbr wscale:10,10 rto:204 rtt:0.549/1.067 ato:40 mss:32768 pmtu:65535 rcvmss:536 advmss:65483 cwnd:14 bytes_sent:4 bytes_acked:4 bytes_received:205 segs_out:6 segs_in:7 data_segs_out:4 data_segs_in:3 bbr:(bw:26214390624bps,mrtt:0.009,pacing_gain:2.88672,cwnd_gain:2.88672) send 6684910747bps lastsnd:1196 lastrcv:1200 lastack:1196 pacing_rate 340531187816bps delivery_rate 26214400000bps delivered:5 app_limited busy:4ms rcv_space:65483 rcv_ssthresh:65483 minrtt:0.009 snd_wnd:65536',
].join('\n');

describe('parseRate', () => {
  test('reads ss rates with and without a unit prefix', () => {
    assert.equal(parseRate('203513248bps'), 203_513_248);
    assert.equal(parseRate('952kbps'), 952_000);
    assert.equal(parseRate('1.5Mbps'), 1_500_000);
    assert.equal(parseRate('3Gbps'), 3e9);
    assert.ok(Number.isNaN(parseRate('fast')));
  });
});

describe('parseSsListing', () => {
  test('picks the connection that acknowledged the most bytes, with its BBR estimate', () => {
    const r = parseSsListing(LISTING);
    assert.ok(r);
    assert.equal(r.bytesAcked, 29_884_454);
    assert.equal(r.rttMs, 0.181);
    assert.equal(r.minRttMs, 0.002);
    assert.equal(r.cwnd, 18);
    assert.equal(r.bbrBwBps, 261_932_000_000);
  });

  test('a flow without BBR has no estimate; an empty listing has no flow', () => {
    const cubic = LISTING.replace(/bbr:\([^)]*\)/g, '');
    assert.ok(Number.isNaN(parseSsListing(cubic)?.bbrBwBps ?? 0));
    assert.equal(parseSsListing(''), null);
  });
});

describe('parseSamples and summarizeTcp', () => {
  const at = (ms: number, bw: string, rtt: number, min: number) =>
    `T ${ms}\nESTAB 0 0 198.19.0.2:40000 198.19.0.1:5300\n\t bbr rtt:${rtt}/1 cwnd:100 bytes_acked:${ms + 1} bbr:(bw:${bw},mrtt:${min}) minrtt:${min}\n`;
  const out =
    at(0, '900Mbps', 31, 30.5) +
    at(1000, '220Mbps', 80, 30.2) +
    at(2000, '190Mbps', 50, 30.2) +
    at(2200, '186Mbps', 45, 30.2) +
    'T 2400\n' +
    at(2600, '184Mbps', 40, 30.1);

  test('one sample per listing that has a flow, stamped in ms', () => {
    const s = parseSamples(out);
    assert.deepEqual(
      s.map((x) => x.atMs),
      [0, 1000, 2000, 2200, 2600],
    );
    assert.equal(s[1]?.bbrBwBps, 220e6);
  });

  test('largest estimate after the first 0.5 s; medians after the start-up', () => {
    const t = summarizeTcp(parseSamples(out), 2);
    assert.equal(t.samples, 5);
    assert.equal(t.maxBwMbps, 220);
    assert.equal(t.steadyBwMbps, 186);
    assert.equal(t.steadyRttMs, 45);
    assert.equal(t.minRttMs, 30.1);
  });

  test('no samples: NaN figures, not zeros', () => {
    const t = summarizeTcp([], 2);
    assert.equal(t.samples, 0);
    assert.ok(Number.isNaN(t.maxBwMbps) && Number.isNaN(t.steadyRttMs) && Number.isNaN(t.minRttMs));
  });
});

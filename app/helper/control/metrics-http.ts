// Optional Prometheus endpoint (off by default). Serves GET /metrics in the text exposition
// format from the same StatsSource the watch streams use. It binds loopback only: the helper
// is privileged and its numbers reveal the user's networks, so a non-loopback address is refused
// outright rather than "secured" (STYLE rule 8).
import http from 'node:http';
import net from 'node:net';
import type { StatsSample } from '../../protocol/schema.ts';
import type { StatsSource } from './helper-api.ts';

export interface MetricsHttpOptions {
  source: StatsSource;
  /** Loopback address only (127.0.0.0/8, ::1, or 'localhost'). Default 127.0.0.1. */
  host?: string;
  /** Default 9469 (unassigned in Prometheus' port allocation list); 0 picks a free port. */
  port?: number;
}

export interface MetricsHttp {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export function isLoopbackAddress(host: string): boolean {
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) return host === '::1' || /^::ffff:127\./i.test(host);
  return false;
}

export async function startMetricsHttp(opts: MetricsHttpOptions): Promise<MetricsHttp> {
  const requested = opts.host ?? '127.0.0.1';
  if (!isLoopbackAddress(requested))
    throw new Error(`metrics: refusing to listen on ${requested}: only loopback addresses are allowed`);
  const host = requested === 'localhost' ? '127.0.0.1' : requested;
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    let body: string;
    try {
      body = renderPrometheus(opts.source.sample());
    } catch {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('sample failed\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
  });
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  server.maxConnections = 16;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 9469, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 9469);
  return {
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const SESSION_STATES = [
  'disconnected',
  'connecting',
  'connected',
  'degraded',
  'disconnecting',
  'error',
] as const;

/** Renders one sample in the Prometheus text format (units: seconds, bits/s, bytes, ratios). */
export function renderPrometheus(s: StatsSample): string {
  const out: string[] = [];
  const metric = (
    name: string,
    type: 'gauge' | 'counter',
    help: string,
    rows: Array<[string, number]>,
  ): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of rows) out.push(`${name}${labels} ${Number.isFinite(v) ? v : 0}`);
  };
  const pathRows = (f: (p: StatsSample['paths'][number]) => number): Array<[string, number]> =>
    s.paths.map((p) => [
      `{path="${p.pathId}",interface="${escapeLabel(p.interface)}",state="${p.state}"}`,
      f(p),
    ]);

  metric(
    'quicether_session_state',
    'gauge',
    '1 for the current session state, 0 otherwise.',
    SESSION_STATES.map((st) => [`{state="${st}"}`, s.session === st ? 1 : 0]),
  );
  metric(
    'quicether_path_rtt_seconds',
    'gauge',
    'Smoothed round-trip time per path.',
    pathRows((p) => p.rttMs / 1000),
  );
  metric(
    'quicether_path_rtt_variance_seconds',
    'gauge',
    'Round-trip time variance per path.',
    pathRows((p) => p.rttVarMs / 1000),
  );
  metric(
    'quicether_path_loss_ratio',
    'gauge',
    'Packet loss ratio per path over the last window.',
    pathRows((p) => p.loss),
  );
  metric(
    'quicether_path_tx_bits_per_second',
    'gauge',
    'Transmit throughput per path.',
    pathRows((p) => p.txBps),
  );
  metric(
    'quicether_path_rx_bits_per_second',
    'gauge',
    'Receive throughput per path.',
    pathRows((p) => p.rxBps),
  );
  metric(
    'quicether_path_share_ratio',
    'gauge',
    "Share of the session's transmitted bytes per path.",
    pathRows((p) => p.share),
  );
  metric(
    'quicether_path_cwnd_bytes',
    'gauge',
    'Congestion window per path.',
    pathRows((p) => p.cwndBytes),
  );
  metric(
    'quicether_path_reorder_events_total',
    'counter',
    'Reordering events per path since it opened.',
    pathRows((p) => p.reorderEvents),
  );
  metric('quicether_tx_bits_per_second', 'gauge', 'Aggregate transmit throughput.', [
    ['', s.aggregate.txBps],
  ]);
  metric('quicether_rx_bits_per_second', 'gauge', 'Aggregate receive throughput.', [['', s.aggregate.rxBps]]);
  metric(
    'quicether_helper_cpu_ratio',
    'gauge',
    'Helper CPU use per core (0..1).',
    s.cpuPerCore.map((v, i) => [`{core="${i}"}`, v]),
  );
  return `${out.join('\n')}\n`;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

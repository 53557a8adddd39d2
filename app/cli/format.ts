// Human-readable rendering of protocol objects for the CLI. Pure functions: text in, text out.
import type { InterfaceInfo, PathSample, PeerInfo, StatsSample, Status } from '../protocol/schema.ts';

/** "12.3 Mbit/s" style, bits per second with SI prefixes. */
export function formatBps(bps: number): string {
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'];
  let v = bps;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

const pct = (r: number): string => `${(r * 100).toFixed(r < 0.01 && r > 0 ? 2 : 1)}%`;

/** Left-aligned text table with a header row; numbers are right-aligned by the caller's padding. */
export function table(
  header: string[],
  rows: string[][],
  rightAlign: ReadonlySet<number> = new Set(),
): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (rightAlign.has(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatStatus(s: Status, extra: { role: string; protocol: number }): string {
  const since = s.connectedForMs > 0 ? ` for ${formatDuration(s.connectedForMs)}` : '';
  const lines = [
    `Session:    ${s.state}${since} (target: ${s.target})`,
    `Mode:       ${s.mode}, scheduler ${s.scheduler}`,
    `Paths:      ${s.activePaths} active`,
  ];
  if (s.lastError) lines.push(`Last error: ${s.lastError.message} (${s.lastError.code})`);
  if (s.nodeId) lines.push(`Node:       ${s.nodeId}`);
  lines.push(`Helper:     ${s.helperVersion}, protocol ${extra.protocol}; you are ${extra.role}`);
  return lines.join('\n');
}

export function formatInterfaces(list: InterfaceInfo[]): string {
  if (list.length === 0) return 'No interfaces.';
  return table(
    ['NAME', 'KIND', 'LINK', 'TUNNEL', 'METERED', 'ADDRESSES'],
    list.map((i) => [
      i.name,
      i.kind,
      i.up ? 'up' : 'down',
      i.enabled ? 'enabled' : 'disabled',
      i.metered ? 'yes' : 'no',
      i.addresses.join(' '),
    ]),
  );
}

export function formatPeers(list: PeerInfo[]): string {
  if (list.length === 0) return 'No peers configured.';
  return table(
    ['NODE', 'NAME', 'STATE', 'PATHS', 'SCHEDULE', 'ENDPOINTS', 'ROUTES'],
    list.map((p) => [
      p.nodeId,
      p.name ?? '',
      p.connected ? 'connected' : 'idle',
      String(p.paths),
      p.mode && p.scheduler ? `${p.mode}/${p.scheduler}${p.peerChose ? " (peer's)" : ''}` : '',
      p.endpoints.join(' '),
      p.routes.join(' '),
    ]),
  );
}

export function formatPaths(paths: PathSample[]): string {
  if (paths.length === 0) return 'No paths (the tunnel is not connected).';
  return table(
    ['PATH', 'IFACE', 'STATE', 'RTT', 'RTTVAR', 'LOSS', 'TX', 'RX', 'SHARE', 'CWND', 'REORDER'],
    paths.map((p) => [
      String(p.pathId),
      p.interface,
      p.stalled ? `${p.state} (no answer)` : p.state,
      `${p.rttMs.toFixed(1)} ms`,
      `${p.rttVarMs.toFixed(1)} ms`,
      pct(p.loss),
      formatBps(p.txBps),
      formatBps(p.rxBps),
      pct(p.share),
      `${Math.round(p.cwndBytes / 1024)} KiB`,
      String(p.reorderEvents),
    ]),
    new Set([0, 3, 4, 5, 6, 7, 8, 9, 10]),
  );
}

/** The whole watch screen for one sample. */
export function formatSample(s: StatsSample, coalesced: number): string {
  const cpu = s.cpuPerCore.map((c, i) => `cpu${i} ${Math.round(c * 100)}%`).join('  ');
  const dropped = coalesced > 0 ? `  (${coalesced} samples skipped: slow terminal)` : '';
  return [
    `Session ${s.session}   TX ${formatBps(s.aggregate.txBps)}   RX ${formatBps(s.aggregate.rxBps)}   ${cpu}${dropped}`,
    '',
    formatPaths(s.paths),
  ].join('\n');
}

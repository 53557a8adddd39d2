// The helper's data-plane counters in one flat record (`quicether watch --json`, tests, the lab):
// engine, packet pool, TUN (kernel drops, offload), UDP sockets, listener, and every session's
// own and reorder-buffer counters summed.
import type { Engine } from './dataplane/engine.ts';
import type { ServerSide } from './dataplane/server.ts';
import type { PeerSession } from './dataplane/session.ts';
import type { TunPort } from './io/ports.ts';
import { tunKernelDrops } from './io/tun-kernel-drops.ts';
import { udpCounters } from './io/udp-counters.ts';

export function helperCounters(
  engine: Engine,
  tun: TunPort,
  server: ServerSide | null,
  sessions: Iterable<PeerSession>,
): Record<string, number> {
  const pool = engine.pool;
  const out: Record<string, number> = {
    ...engine.counters,
    poolFree: pool.available,
    poolExhausted: pool.exhausted,
    minorGcRuns: engine.gc.runs,
  };
  const kernelDrops = tunKernelDrops(tun.name);
  if (kernelDrops !== undefined) out.tunKernelDrops = kernelDrops;
  const offload = tun.stats().offload;
  if (offload) for (const [k, v] of Object.entries(offload)) out[`tun.${k}`] = v;
  Object.assign(out, udpCounters(new Set([...engine.allLinks()].map((l) => l.sender.port))));
  if (server) {
    const c = server.listener.counters;
    out['listener.retries'] = c.retries;
    out['listener.accepted'] = c.accepted;
    out['listener.rejected'] = c.rejected;
    for (const [k, v] of Object.entries(c.dropped)) out[`listener.dropped.${k}`] = v;
  }
  for (const s of sessions) {
    for (const [k, v] of Object.entries(s.counters)) out[k] = (out[k] ?? 0) + v;
    for (const [k, v] of Object.entries(s.reorder.counters))
      out[`reorder.${k}`] = (out[`reorder.${k}`] ?? 0) + v;
  }
  return out;
}

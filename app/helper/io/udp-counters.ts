// Helper counters summed over UDP ports: GSO messages sent, and how long received datagrams sat
// in the sockets before the helper read them (a busy or CPU-starved event loop shows here first).
import { RX_WAIT_BOUNDS_MS, type UdpPort } from './ports.ts';

/** `udp.gsoMessages`, and when anything was received `udp.rxWaitMeanUs` and `udp.rxWait.*`. */
export function udpCounters(ports: Iterable<UdpPort>): Record<string, number> {
  const out: Record<string, number> = {};
  let gso = 0;
  let waitUs = 0;
  let waited = 0;
  const hist = [...RX_WAIT_BOUNDS_MS.map(() => 0), 0];
  for (const p of ports) {
    const st = p.stats();
    gso += st.gsoMessages ?? 0;
    waitUs += st.rxWait?.sumUs ?? 0;
    waited += st.rxWait?.count ?? 0;
    for (let i = 0; i < hist.length; i++) hist[i] = (hist[i] ?? 0) + (st.rxWait?.hist[i] ?? 0);
  }
  out['udp.gsoMessages'] = gso;
  if (waited === 0) return out;
  out['udp.rxWaitMeanUs'] = Math.round(waitUs / waited);
  const last = RX_WAIT_BOUNDS_MS[RX_WAIT_BOUNDS_MS.length - 1];
  hist.forEach((n, i) => {
    const b = RX_WAIT_BOUNDS_MS[i];
    out[b === undefined ? `udp.rxWait.over${last}ms` : `udp.rxWait.under${b}ms`] = n;
  });
  return out;
}

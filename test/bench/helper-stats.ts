// Numbers the helpers report about themselves, read through the `quicether` CLI of the lab tunnel.
import type { Tunnel } from '../lab/tunnel.ts';

type Cli = Pick<Tunnel, 'cli'>;

/** Both helpers' data-plane counters (drops by reason...) after the runs. */
export async function countersOf(t: Cli): Promise<Record<string, Record<string, number> | string>> {
  const out: Record<string, Record<string, number> | string> = {};
  for (const side of ['laptop', 'gw'] as const) {
    try {
      const lines = (await t.cli(side, ['watch', '--json', '--count', '1', '--interval', '100']))
        .trim()
        .split('\n');
      const last = JSON.parse(lines[lines.length - 1] ?? '{}') as {
        sample?: { counters?: Record<string, number> };
      };
      out[side] = last.sample?.counters ?? {};
    } catch (e) {
      out[side] = `unavailable: ${String((e as Error).message).slice(0, 200)}`;
    }
  }
  return out;
}

export interface PathView {
  interface: string;
  state: string;
  rttMs: number;
  loss: number;
  share: number;
  cwndBytes: number;
  reorderEvents: number;
}

/** The laptop's per-path view (one `watch` sample), or an error string. */
export async function pathsOf(t: Cli, side: 'laptop' | 'gw' = 'laptop'): Promise<PathView[] | string> {
  try {
    const lines = (await t.cli(side, ['watch', '--json', '--count', '1', '--interval', '100']))
      .trim()
      .split('\n');
    const last = JSON.parse(lines[lines.length - 1] ?? '{}') as { sample?: { paths?: PathView[] } };
    return (last.sample?.paths ?? []).map((p) => ({
      interface: p.interface,
      state: p.state,
      rttMs: Math.round(p.rttMs * 10) / 10,
      loss: p.loss,
      share: Math.round(p.share * 1000) / 1000,
      cwndBytes: p.cwndBytes,
      reorderEvents: p.reorderEvents,
    }));
  } catch (e) {
    return `unavailable: ${String((e as Error).message).slice(0, 200)}`;
  }
}

/** The helper's status line as JSON (mode, scheduler, active paths), or an error string. */
export async function statusOf(t: Cli, side: 'laptop' | 'gw'): Promise<Record<string, unknown> | string> {
  try {
    return JSON.parse(await t.cli(side, ['status', '--json'])) as Record<string, unknown>;
  } catch (e) {
    return `unavailable: ${String((e as Error).message).slice(0, 200)}`;
  }
}

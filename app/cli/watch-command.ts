// `quicether watch`: a snapshot, then live samples. On a terminal the table redraws in place
// (cursor up + clear to end of screen); elsewhere, or with --json, each sample is appended
// (--json: one JSON object per line, snapshot first). --count N stops after N samples.
import type { ControlClient } from '../protocol/client.ts';
import type { WatchEvent } from '../protocol/schema.ts';
import type { Ctx } from './context.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';
import { formatSample } from './format.ts';

export interface WatchOptions {
  intervalMs: number;
  /** Stop after this many samples (the snapshot is not counted); undefined = until Ctrl-C. */
  count?: number;
}

const CSI = '\x1b[';

export async function runWatch(ctx: Ctx, client: ControlClient, opts: WatchOptions): Promise<ExitCode> {
  let drawnLines = 0;
  let samples = 0;
  const redraw = ctx.io.isTTY && !ctx.json;

  const draw = (text: string): void => {
    if (redraw) {
      // Move to the start of the previous frame and clear everything below, then draw.
      const up = drawnLines > 0 ? `${CSI}${drawnLines}F${CSI}J` : '';
      ctx.io.write(`${up}${text}\n`);
      drawnLines = text.split('\n').length;
    } else ctx.io.out(`${text}\n`); // a blank line between frames
  };

  let finish: (code: ExitCode) => void = () => {};
  const done = new Promise<ExitCode>((resolve) => {
    finish = resolve;
  });
  const onSigint = (): void => finish(EXIT.ok);
  process.once('SIGINT', onSigint);
  client.onClose((err) => finish(err ? EXIT.error : EXIT.ok));
  const onEvent = (e: WatchEvent): void => {
    if (ctx.json) {
      const { type: _t, watchId: _w, ...rest } = e;
      ctx.io.out(JSON.stringify(rest));
    } else draw(formatSample(e.sample, e.kind === 'sample' ? e.coalesced : 0));
    if (e.kind === 'sample' && opts.count !== undefined && ++samples >= opts.count) finish(EXIT.ok);
  };
  try {
    const watch = await client.watch(opts.intervalMs, onEvent);
    const code = await done;
    await watch.stop().catch(() => {});
    return code;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatBps, formatDuration, formatPaths, table } from '../../../app/cli/format.ts';
import { runCli } from '../../../app/cli/program.ts';
import { startFake } from '../control/harness.ts';

const ESC = '\x1b';

describe('CLI formatting', () => {
  test('units', () => {
    assert.equal(formatBps(0), '0 bit/s');
    assert.equal(formatBps(999), '999 bit/s');
    assert.equal(formatBps(1_500), '1.5 kbit/s');
    assert.equal(formatBps(123_400_000), '123.4 Mbit/s');
    assert.equal(formatBps(2.5e12), '2500.0 Gbit/s');
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(62_000), '1m 02s');
    assert.equal(formatDuration(3_726_000), '1h 02m');
  });

  test('tables align columns', () => {
    const t = table(
      ['A', 'NUM'],
      [
        ['x', '1'],
        ['long', '100'],
      ],
      new Set([1]),
    );
    assert.equal(t, 'A     NUM\nx       1\nlong  100');
    assert.equal(formatPaths([]), 'No paths (the tunnel is not connected).');
  });

  test('a stalled path says so next to its state', () => {
    const p = {
      pathId: 1,
      interface: 'wlan0',
      state: 'active' as const,
      rttMs: 12,
      rttVarMs: 1,
      loss: 0,
      txBps: 0,
      rxBps: 0,
      share: 0.5,
      cwndBytes: 14_720,
      reorderEvents: 0,
    };
    assert.match(formatPaths([p]), /wlan0 +active +12\.0 ms/);
    assert.match(formatPaths([{ ...p, stalled: true }]), /wlan0 +active \(no answer\) +12\.0 ms/);
  });

  test('watch on a terminal redraws in place with ANSI (cursor up + clear)', async () => {
    const h = await startFake();
    try {
      await h.helper.connect();
      const chunks: string[] = [];
      const io = {
        out: (l: string) => chunks.push(`${l}\n`),
        write: (t: string) => chunks.push(t),
        err: () => {},
        isTTY: true,
      };
      assert.equal(
        await runCli(['watch', '--count', '2', '--interval', '100'], io, { QUICETHER_SOCKET: h.socketPath }),
        0,
      );
      assert.equal(chunks.length, 3, 'snapshot + 2 samples');
      assert.equal(chunks[0]?.includes('\x1b['), false, 'the first frame is drawn, not redrawn');
      for (const c of chunks.slice(1)) assert.match(c, new RegExp(`^${ESC}\\[\\d+F${ESC}\\[J`));
      const lines = chunks[0]?.split('\n').length ?? 0;
      assert.ok(chunks[1]?.startsWith(`\x1b[${lines - 1}F`), 'moves up exactly the lines it drew');
    } finally {
      await h.close();
    }
  });
});

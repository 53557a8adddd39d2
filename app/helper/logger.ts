// Loggers are passed in with a component prefix (STYLE rule 10). One pino instance writes JSON
// lines to stderr; `QUICETHER_LOG=pretty` (the default on a terminal) writes short readable lines.
import pino from 'pino';

export interface Log {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  child(component: string): Log;
}

export function createLog(name = 'helper'): Log {
  const pretty =
    process.env.QUICETHER_LOG === 'pretty' || (process.env.QUICETHER_LOG !== 'json' && process.stderr.isTTY);
  if (pretty) return prettyLog(name);
  const root = pino(
    { name: 'quicether', level: process.env.QUICETHER_LOG_LEVEL ?? 'info' },
    pino.destination(2),
  );
  const wrap = (l: pino.Logger): Log => ({
    info: (m) => l.info(m),
    warn: (m) => l.warn(m),
    error: (m) => l.error(m),
    child: (c) => wrap(l.child({ component: c })),
  });
  return wrap(root.child({ component: name }));
}

function prettyLog(prefix: string): Log {
  const line = (level: string, m: string) =>
    process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${level} [${prefix}] ${m}\n`);
  return {
    info: (m) => line('INFO ', m),
    warn: (m) => line('WARN ', m),
    error: (m) => line('ERROR', m),
    child: (c) => prettyLog(`${prefix}/${c}`),
  };
}

export const silentLog: Log = { info() {}, warn() {}, error() {}, child: () => silentLog };

// Exit codes of `quicether`. Stable: scripts branch on them. Listed in `quicether --help`.
import type { ErrorCode } from '../protocol/errors.ts';

export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  notRunning: 3,
  permissionDenied: 4,
  versionMismatch: 5,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_HELP = `Exit codes:
  0  ok
  1  error (the helper refused or failed the request)
  2  usage error (unknown command, option or value)
  3  the helper is not running
  4  permission denied (read-only caller, or no access to the socket)
  5  protocol version mismatch between this CLI and the helper`;

export function exitCodeFor(code: ErrorCode): ExitCode {
  switch (code) {
    case 'not_running':
      return EXIT.notRunning;
    case 'permission_denied':
      return EXIT.permissionDenied;
    case 'version_mismatch':
      return EXIT.versionMismatch;
    default:
      return EXIT.error;
  }
}

// Typed I/O errors with stable codes. Native errors already carry `.code` (an errno name such as
// EPERM); fallbacks and fakes throw the same codes so callers handle every backend alike.

export class IoError extends Error {
  override readonly name = 'IoError';
  constructor(
    /** Errno name ("EPERM", "EBADF"...) or "ENATIVE" when the addon is unavailable. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A plain `{code, message}` for result unions (tagged results, not exceptions, at boundaries). */
export interface IoErrorInfo {
  code: string;
  message: string;
}

export function toIoErrorInfo(e: unknown): IoErrorInfo {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'EUNKNOWN', message: e.message };
  }
  return { code: 'EUNKNOWN', message: String(e) };
}

export function closedError(what: string): IoError {
  return new IoError('EBADF', `${what}: EBADF (port is closed)`);
}

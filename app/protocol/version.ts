// Versions and limits of the helper's control socket. Changing any number here is a wire change:
// bump PROTOCOL_VERSION only for incompatible changes (new optional fields are additive and need
// no bump, see STYLE rule 4).

/** Protocol version this build speaks. Carried in the first frame (hello) of every connection. */
export const PROTOCOL_VERSION = 1;
/** Oldest client protocol version the server still answers. */
export const MIN_PROTOCOL_VERSION = 1;

/**
 * Frame format version: the first byte of every frame payload. It versions the framing itself
 * (today: "UTF-8 JSON follows"), independently of PROTOCOL_VERSION which versions the messages.
 */
export const FRAME_FORMAT_JSON = 1;

/** Length prefix size in bytes (unsigned 32-bit, big-endian). */
export const FRAME_HEADER_BYTES = 4;

/**
 * Largest frame the helper accepts from a client. Requests are tiny (the largest is a
 * setInterfaceEnabled with a 15-byte name), so 64 KiB is generous and caps what one malicious
 * length prefix can make the helper buffer.
 */
export const MAX_CLIENT_FRAME_BYTES = 64 * 1024;

/**
 * Largest frame a client accepts from the helper. A snapshot with a few hundred interfaces,
 * peers and paths is well under this; anything larger means the stream is corrupt.
 */
export const MAX_SERVER_FRAME_BYTES = 4 * 1024 * 1024;

/** Fastest watch interval a client may ask for: faster gives no readable UI and costs CPU. */
export const MIN_WATCH_INTERVAL_MS = 100;
/** Slowest watch interval: beyond a minute a client should poll `status` instead. */
export const MAX_WATCH_INTERVAL_MS = 60_000;

/** Default socket path (Linux FHS: runtime state of a system service lives under /run). */
export const DEFAULT_SOCKET_PATH = '/run/quicether/helper.sock';
/** Environment variable that overrides the socket path (tests, non-root development). */
export const SOCKET_PATH_ENV = 'QUICETHER_SOCKET';

/** Resolves the socket path: explicit option, then $QUICETHER_SOCKET, then the default. */
export function resolveSocketPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit !== undefined && explicit !== '') return explicit;
  const fromEnv = env[SOCKET_PATH_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return DEFAULT_SOCKET_PATH;
}

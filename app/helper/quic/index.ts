// QUIC driver over quiche's native binding. Sans socket: callers move UDP payloads in and out.
export {
  ALPN,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_SEND_UDP_PAYLOAD,
  MAX_UDP_PAYLOAD,
  SCID_LEN,
} from './config.ts';
export type { ConnPhase, QuicConnectOptions } from './conn.ts';
export { CLOSE_BAD_CERTIFICATE, QuicConn } from './conn.ts';
export { CONTROL_STREAM_ID, MAX_CONTROL_PENDING } from './control-stream.ts';
export type { QuicListenerOptions } from './listener.ts';
export { QuicListener } from './listener.ts';
export type { DropReason } from './listener-parts.ts';
export { PacketBatch } from './packet-batch.ts';
export { RETRY_TOKEN_LIFETIME_MS } from './retry-token.ts';
export type * from './types.ts';

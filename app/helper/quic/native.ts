// The one import of the quiche binding. Nothing outside app/helper/quic may import this file: the
// rest of the helper sees only our own types (types.ts).

import type {
  Config as NativeConfig,
  Connection as NativeConnection,
  ConnectionError as NativeConnectionError,
  Header as NativeHeader,
} from '@matrixai/quic/native/index.js';
import { quiche } from '@matrixai/quic/native/index.js';

export type { NativeConfig, NativeConnection, NativeConnectionError, NativeHeader };
export { quiche };

/** quiche's packet type numbers for Header.ty (the binding's enum, restated so we need no value import of it). */
export const PacketType = {
  Initial: 0,
  Retry: 1,
  Handshake: 2,
  ZeroRTT: 3,
  VersionNegotiation: 4,
  Short: 5,
} as const;

// Chooses the UDP backend: native recvmmsg/sendmmsg when the addon has it, else node:dgram.
// The caller gets the reason for a fallback as a value and logs it once (STYLE 9: degrade, say so).
import { native, nativeUnavailableReason } from '../../../native/index.ts';
import { DgramUdpPort } from './dgram-udp.ts';
import { NativeUdpPort, type UdpPortOptions } from './native-udp.ts';
import type { UdpPort } from './ports.ts';

export interface OpenUdpOptions extends UdpPortOptions {
  /** 'auto' (default) prefers native; 'dgram' forces the fallback; 'native' fails without it. */
  backend?: 'auto' | 'native' | 'dgram';
  /** Fallback only: received datagrams held between reads. */
  queueCapacity?: number;
}

export interface OpenedUdp {
  port: UdpPort;
  /** Why the dgram fallback is in use (including a device binding it could not do), or null. */
  fallbackReason: string | null;
}

/** Throws the backend's errno-coded error when the socket cannot be opened (e.g. EADDRINUSE). */
export async function openUdpPort(options: OpenUdpOptions): Promise<OpenedUdp> {
  const backend = options.backend ?? 'auto';
  const nativeUdp = backend !== 'dgram' && native?.Udp !== undefined;
  if (nativeUdp || backend === 'native') return { port: NativeUdpPort.open(options), fallbackReason: null };
  let reason =
    backend === 'dgram'
      ? 'dgram backend requested'
      : native
        ? 'native UDP not built for this platform'
        : `native addon unavailable: ${nativeUnavailableReason ?? 'unknown'}`;
  if (options.device)
    reason += `; socket NOT bound to device ${options.device} (dgram has no SO_BINDTODEVICE)`;
  const port = await DgramUdpPort.open({
    ...(options.address !== undefined ? { address: options.address } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.recvBufferSize ? { recvBufferSize: options.recvBufferSize } : {}),
    ...(options.sendBufferSize ? { sendBufferSize: options.sendBufferSize } : {}),
    ...(options.queueCapacity ? { queueCapacity: options.queueCapacity } : {}),
  });
  return { port, fallbackReason: reason };
}

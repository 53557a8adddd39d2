// Credentials of the process at the other end of a Unix-socket connection (SO_PEERCRED), for the
// helper's control-socket authorization. Returns null when they cannot be known (addon missing,
// no fd, not a Unix socket): the caller must then treat the peer as unauthenticated.
import type { Socket } from 'node:net';
import { native, nativeUnavailableReason, type PeerCredentials } from '../../../native/index.ts';

export type { PeerCredentials };

/** Whether peerCredentialsOf can work here, and why not. */
export function peerCredentialsSupport(): { available: boolean; reason: string | null } {
  return native ? { available: true, reason: null } : { available: false, reason: nativeUnavailableReason };
}

/** The OS fd behind a connected net.Socket, or null (Node keeps it on the private libuv handle). */
export function socketFd(socket: Socket): number | null {
  const handle = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : null;
}

export function peerCredentialsOfFd(fd: number): PeerCredentials | null {
  if (!native) return null;
  try {
    return native.peerCredentials(fd);
  } catch {
    return null;
  }
}

export function peerCredentialsOf(socket: Socket): PeerCredentials | null {
  const fd = socketFd(socket);
  return fd === null ? null : peerCredentialsOfFd(fd);
}

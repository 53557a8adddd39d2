// Translations from quiche's objects to ours (stats, close reasons, path events).
import type { NativeConnection, NativeConnectionError } from './native.ts';
import type { CloseInfo, HostPort, PathEvent, QuicStats } from './types.ts';

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function readStats(native: NativeConnection, dgramSendRefused: number, recvErrors: number): QuicStats {
  const s = native.stats();
  let rttMs = 0;
  let cwnd = 0;
  let deliveryRate = 0;
  let pmtu = 0;
  try {
    const paths = native.pathStats();
    const p = paths.find((x) => x.active) ?? paths[0];
    if (p !== undefined) {
      rttMs = p.rtt;
      cwnd = p.cwnd;
      deliveryRate = p.deliveryRate;
      pmtu = p.pmtu;
    }
  } catch {
    // no path yet
  }
  return {
    rttMs,
    cwnd,
    lost: s.lost,
    sent: s.sent,
    recv: s.recv,
    deliveryRate,
    pmtu,
    sentBytes: s.sentBytes,
    recvBytes: s.recvBytes,
    lostBytes: s.lostBytes,
    dgramSendQueueLen: native.dgramSendQueueLen(),
    dgramSendRefused,
    recvErrors,
  };
}

function fromError(initiator: 'local' | 'peer', e: NativeConnectionError): CloseInfo {
  return { initiator, app: e.isApp, code: e.errorCode, reason: utf8.decode(e.reason) };
}

export function closeInfoOf(native: NativeConnection): CloseInfo {
  if (native.isTimedOut()) return { initiator: 'idle', app: false, code: 0, reason: 'idle timeout' };
  const peer = native.peerError();
  if (peer !== null) return fromError('peer', peer);
  const local = native.localError();
  if (local !== null) return fromError('local', local);
  return { initiator: 'local', app: false, code: 0, reason: '' };
}

const hp = (h: HostPort): HostPort => ({ host: h.host, port: h.port });

export function readPathEvent(native: NativeConnection): PathEvent | null {
  let e: ReturnType<NativeConnection['pathEventNext']> | null;
  try {
    e = native.pathEventNext();
  } catch {
    return null;
  }
  if (e === null || e === undefined) return null;
  switch (e.type) {
    case 'New':
      return { kind: 'new', local: hp(e.local), peer: hp(e.peer) };
    case 'Validated':
      return { kind: 'validated', local: hp(e.local), peer: hp(e.peer) };
    case 'Closed':
      return { kind: 'closed', local: hp(e.local), peer: hp(e.peer) };
    case 'PeerMigrated':
      return { kind: 'peer-migrated', peer: hp(e.new), previousPeer: hp(e.old) };
    case 'ReusedSourceConnectionId':
      return { kind: 'reused-cid', local: hp(e.new[0]), peer: hp(e.new[1]) };
    default:
      return null;
  }
}

// Serial-number arithmetic for the per-session uint32 sequence numbers of the encapsulation header.

/** Signed distance a - b in uint32 serial arithmetic (RFC 1982 style). */
export function seqDiff(a: number, b: number): number {
  return ((a >>> 0) - (b >>> 0)) | 0;
}

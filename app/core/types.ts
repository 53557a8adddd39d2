// Branded types shared by the whole core. A brand costs nothing at run time; it stops a PathId
// from being passed where a FlowId or a byte count is expected.

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Milliseconds on the caller's monotonic clock (performance.now() in the helper, virtual in sims). */
export type Millis = Brand<number, 'Millis'>;
/** Index of a path inside one session; stable for the path's lifetime. */
export type PathId = Brand<number, 'PathId'>;
/** 32-bit flow identifier (5-tuple hash), carried in the encapsulation header. */
export type FlowId = Brand<number, 'FlowId'>;
/** Printable hash of a peer's public key (see app/helper/identity.ts). */
export type NodeId = Brand<string, 'NodeId'>;
/** Bytes per second. */
export type BytesPerSec = Brand<number, 'BytesPerSec'>;

export const millis = (n: number): Millis => n as Millis;
export const pathId = (n: number): PathId => n as PathId;
export const flowId = (n: number): FlowId => (n >>> 0) as FlowId;
export const nodeId = (s: string): NodeId => s as NodeId;
export const bytesPerSec = (n: number): BytesPerSec => n as BytesPerSec;

/** Result of a decoder: never throws on bad input, says why instead. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

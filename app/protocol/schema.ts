// The one schema module of the helper↔client control protocol (STYLE rule 3). Every frame in
// either direction is validated here; both the helper's control server and every client (CLI,
// Electron main, web bridge) import these schemas and nothing else to speak the protocol.
//
// Conversation (after the 4-byte length prefix and 1-byte frame format, see framing.ts):
//
//   client                                helper
//   hello {version}            ──►
//                              ◄──        welcome {version, role}   | fatal {error} + close
//   request {id, method, params} ──►
//                              ◄──        response {id, ok: true, result} | {id, ok: false, error}
//   request watch {intervalMs}  ──►
//                              ◄──        response {watchId}
//                              ◄──        event {watchId, kind: 'snapshot', ...}
//                              ◄──        event {watchId, kind: 'sample', sample, coalesced} (repeats)
//
// Requests may be pipelined; responses carry the request id. Ids are chosen by the client.
import { z } from 'zod';
import { WireErrorSchema } from './errors.ts';
import { WatchIdSchema } from './methods.ts';
import { InterfaceInfoSchema, PeerInfoSchema, StatsSampleSchema, StatusSchema } from './model.ts';

export { type WireError, WireErrorSchema } from './errors.ts';
export {
  isMethodName,
  METHOD_NAMES,
  type MethodName,
  methods,
  type ParamsOf,
  type ResultOf,
} from './methods.ts';
export * from './model.ts';

export const RoleSchema = z.enum(['admin', 'read-only']);
export type Role = z.infer<typeof RoleSchema>;

export const RequestIdSchema = z.int().nonnegative().max(Number.MAX_SAFE_INTEGER);

// ── client → helper ────────────────────────────────────────────────────────────────────────────

/**
 * First frame of every connection. Its shape is frozen forever (only optional fields may be
 * added) so that any two versions can at least tell each other they disagree.
 */
export const HelloSchema = z.looseObject({
  type: z.literal('hello'),
  version: z.int().nonnegative().max(0xffff),
  /** Free-form client name for the helper's log ("quicether-cli/0.1.0"). */
  client: z.optional(z.string().max(64)),
});
export type Hello = z.infer<typeof HelloSchema>;

/**
 * Request envelope. Params are validated a second time against the method table, after the
 * envelope, so that a bad param still gets an answer carrying the request id.
 */
export const RequestEnvelopeSchema = z.strictObject({
  type: z.literal('request'),
  id: RequestIdSchema,
  method: z.string().max(64),
  params: z.optional(z.unknown()),
});
export type RequestEnvelope = z.infer<typeof RequestEnvelopeSchema>;

export const ClientMessageSchema = z.discriminatedUnion('type', [HelloSchema, RequestEnvelopeSchema]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

// ── helper → client ────────────────────────────────────────────────────────────────────────────

export const WelcomeSchema = z.looseObject({
  type: z.literal('welcome'),
  version: z.int().nonnegative(),
  /** What this caller may do, decided from its OS identity (re-checked on every request). */
  role: RoleSchema,
  helperVersion: z.string().max(64),
});
export type Welcome = z.infer<typeof WelcomeSchema>;

/** Connection-level error; the helper closes the connection after sending it. */
export const FatalSchema = z.looseObject({ type: z.literal('fatal'), error: WireErrorSchema });
export type Fatal = z.infer<typeof FatalSchema>;

export const ResponseSchema = z.discriminatedUnion('ok', [
  z.looseObject({
    type: z.literal('response'),
    id: RequestIdSchema,
    ok: z.literal(true),
    result: z.unknown(),
  }),
  z.looseObject({
    type: z.literal('response'),
    id: RequestIdSchema,
    ok: z.literal(false),
    error: WireErrorSchema,
  }),
]);
export type Response = z.infer<typeof ResponseSchema>;

export const SnapshotEventSchema = z.looseObject({
  type: z.literal('event'),
  watchId: WatchIdSchema,
  kind: z.literal('snapshot'),
  status: StatusSchema,
  interfaces: z.array(InterfaceInfoSchema).max(1024),
  peers: z.array(PeerInfoSchema).max(4096),
  sample: StatsSampleSchema,
});
export type SnapshotEvent = z.infer<typeof SnapshotEventSchema>;

export const SampleEventSchema = z.looseObject({
  type: z.literal('event'),
  watchId: WatchIdSchema,
  kind: z.literal('sample'),
  sample: StatsSampleSchema,
  /** Samples skipped since the previous one because this reader was slow (latest wins). */
  coalesced: z.int().nonnegative(),
});
export type SampleEvent = z.infer<typeof SampleEventSchema>;

export const WatchEventSchema = z.discriminatedUnion('kind', [SnapshotEventSchema, SampleEventSchema]);
export type WatchEvent = z.infer<typeof WatchEventSchema>;

/** Any frame the helper may send, told apart by `type`. */
export const ServerMessageSchema = z.discriminatedUnion('type', [
  WelcomeSchema,
  FatalSchema,
  ResponseSchema,
  WatchEventSchema,
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

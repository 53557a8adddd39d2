// Stable error codes of the control protocol. Codes are part of the wire contract: never rename
// one, only add. Messages are for humans and may change.
import { z } from 'zod';

export const ERROR_CODES = [
  // Connection-level (sent as a `fatal` frame, then the helper closes the connection).
  'version_mismatch', // hello carried a protocol version outside [MIN_PROTOCOL_VERSION, PROTOCOL_VERSION]
  'hello_required', // first frame was not a valid hello, or hello not sent in time
  'frame_too_large', // length prefix above the receiver's cap
  'bad_frame', // unknown frame format byte or payload that is not JSON
  'busy', // too many connections
  // Request-level (sent as a response with ok: false; the connection stays usable).
  'bad_request', // envelope or params failed the schema
  'unknown_method', // method not in the closed verb set
  'permission_denied', // caller is read-only and the verb changes state
  'not_found', // e.g. no interface of that name
  'invalid_state', // the verb makes no sense in the current state
  'too_many_watches', // per-connection watch limit reached
  'internal', // the helper failed; details are in its log
  // Client-side only (never on the wire, produced by ControlClient).
  'not_running', // no socket, or nobody listening on it
  'connection_closed', // the helper closed the connection mid-request
  'timeout', // no answer in time
  'protocol_error', // the helper sent something this client cannot parse
] as const;

export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** Error shape carried on the wire. Unknown codes from newer helpers fall back to 'internal'. */
export const WireErrorSchema = z.looseObject({
  code: z
    .string()
    .max(64)
    .transform((c): ErrorCode => (ErrorCodeSchema.safeParse(c).success ? (c as ErrorCode) : 'internal')),
  message: z.string().max(1024),
  /** Only with version_mismatch: the range the helper accepts. */
  supported: z.optional(z.looseObject({ min: z.int(), max: z.int() })),
});
export type WireError = z.infer<typeof WireErrorSchema>;

/** Thrown by ControlClient and by HelperApi implementations; carries a stable code. */
export class ControlError extends Error {
  override readonly name = 'ControlError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly supported?: { min: number; max: number },
  ) {
    super(message);
  }

  toWire(): WireError {
    return this.supported
      ? { code: this.code, message: this.message, supported: this.supported }
      : { code: this.code, message: this.message };
  }
}

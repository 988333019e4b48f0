// One error taxonomy for every part of Flotilla. Each kind maps to a sysexits code (DESIGN.md §3.1)
// and an HTTP status, and every error carries the next step a user should take.

export type ErrorKind =
  | 'usage' // the request or invocation is wrong: fix it and retry
  | 'not_found' // a named thing does not exist
  | 'conflict' // the thing exists already or is in the wrong state
  | 'unauthenticated' // no or bad credentials
  | 'forbidden' // credentials fine, role not enough
  | 'unavailable' // a dependency (daemon, store) cannot be reached
  | 'retry' // temporary condition: try again later
  | 'config' // a configuration file or value is invalid
  | 'rejected' // untrusted input (store envelope, frame) failed verification
  | 'internal'; // a bug: report it

export const EXIT_CODES = {
  ok: 0,
  usage: 64,
  unavailable: 69,
  internal: 70,
  retry: 75,
  permission: 77,
  config: 78,
} as const;

const EXIT_BY_KIND: Record<ErrorKind, number> = {
  usage: EXIT_CODES.usage,
  not_found: EXIT_CODES.usage,
  conflict: EXIT_CODES.usage,
  unauthenticated: EXIT_CODES.permission,
  forbidden: EXIT_CODES.permission,
  unavailable: EXIT_CODES.unavailable,
  retry: EXIT_CODES.retry,
  config: EXIT_CODES.config,
  rejected: EXIT_CODES.usage,
  internal: EXIT_CODES.internal,
};

const HTTP_BY_KIND: Record<ErrorKind, number> = {
  usage: 400,
  not_found: 404,
  conflict: 409,
  unauthenticated: 401,
  forbidden: 403,
  unavailable: 503,
  retry: 503,
  config: 500,
  rejected: 422,
  internal: 500,
};

export interface ErrorBody {
  code: ErrorKind;
  message: string;
  next: string;
  details?: Record<string, unknown>;
}

export class FlotillaError extends Error {
  readonly kind: ErrorKind;
  readonly next: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(kind: ErrorKind, message: string, next: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FlotillaError';
    this.kind = kind;
    this.next = next;
    this.details = options?.details;
  }

  get exitCode(): number {
    return EXIT_BY_KIND[this.kind];
  }

  get httpStatus(): number {
    return HTTP_BY_KIND[this.kind];
  }

  toBody(): ErrorBody {
    return { code: this.kind, message: this.message, next: this.next, ...(this.details ? { details: this.details } : {}) };
  }

  static fromBody(body: ErrorBody): FlotillaError {
    const kind: ErrorKind = body.code in EXIT_BY_KIND ? body.code : 'internal';
    return new FlotillaError(kind, body.message, body.next ?? 'Check the daemon log for details.', { details: body.details });
  }
}

export function isFlotillaError(e: unknown): e is FlotillaError {
  return e instanceof FlotillaError;
}

/** Wraps anything thrown into a FlotillaError, keeping known ones as they are. */
export function toFlotillaError(e: unknown, next = 'This is a bug in Flotilla; please report it with the log file.'): FlotillaError {
  if (e instanceof FlotillaError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new FlotillaError('internal', message, next, { cause: e });
}

// What every part of the Kubernetes API test server shares: objects as unstructured JSON and the
// Status error a real API server answers with.

// Kubernetes objects here are arbitrary JSON, walked by path like the API server's unstructured code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

export function clone<T>(v: T): T {
  return structuredClone(v);
}

export function isPlainObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Obj,
    /** Sent as the Retry-After header, as the API server does for a 429 it expects to clear. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  status(): Obj {
    const details = this.retryAfterSeconds ? { ...(this.details ?? {}), retryAfterSeconds: this.retryAfterSeconds } : this.details;
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, ...(details ? { details } : {}), code: this.code };
  }
}

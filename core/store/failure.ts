// What a failed store operation looks like, the same in every part. A backend (dir, S3) turns what
// its client threw into one `unavailable` error naming the store, the operation and the key, with what
// to check next. A caller that retries it (the status reporter, the job runner, the daemon's poll)
// wraps that as a StoreFailure named by its own operation, counts it, and logs the same fields.
import { FlotillaError, isFlotillaError } from '../errors.js';

/** The error a backend throws when an operation did not complete. */
export function storeUnavailable(f: { store: string; op: string; key: string; detail: string; next: string; cause: unknown }): FlotillaError {
  return new FlotillaError('unavailable', `${f.store}: ${f.op} ${f.key || '(all)'} failed: ${f.detail}`, f.next, { cause: f.cause, details: { store: f.store, op: f.op, key: f.key } });
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A store operation of a caller's that failed: `op` is the caller's name for it, `original` what the store threw. */
export class StoreFailure extends Error {
  constructor(
    readonly op: string,
    readonly original: unknown,
  ) {
    super(messageOf(original), { cause: original });
    this.name = 'StoreFailure';
  }

  /** The fields every part logs for it: the operation, the error, and the next step when the store gave one. */
  get logFields(): { op: string; err: string; next: string | undefined } {
    return { op: this.op, err: messageOf(this.original), next: isFlotillaError(this.original) ? this.original.next : undefined };
  }
}

/** Runs one store operation; whatever it throws comes back as a StoreFailure named `op`, after `onFailure` (a metric) saw it. */
export async function storeOp<T>(op: string, fn: () => Promise<T>, onFailure?: (op: string) => void): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    onFailure?.(op);
    throw e instanceof StoreFailure ? e : new StoreFailure(op, e);
  }
}

import { FlotillaError } from '../../core/errors.js';

/** The message of the usage error `fn` throws; any other outcome fails the test that asked. */
export function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof FlotillaError && e.kind === 'usage') return e.message;
    throw e;
  }
  return 'no error';
}

/** The FlotillaError a promise rejects with; resolving, or rejecting with anything else, fails the test that asked. */
export async function rejection(p: Promise<unknown>): Promise<FlotillaError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof FlotillaError)) throw new Error(`expected a FlotillaError, got ${String(e)}`);
  return e;
}

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

// Argument parsers for commander options. They throw InvalidArgumentError so commander reports a
// usage error (exit 64) naming the option.
import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../core/duration.js';
import { FlotillaError } from '../core/errors.js';

export function intIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}

export function positiveSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 86_400) {
    throw new InvalidArgumentError(`expected seconds between 0 and 86400, got "${value}"`);
  }
  return n;
}

/** Validates a duration ("24h") but keeps the text, which is what the API takes. */
export function duration(value: string): string {
  try {
    parseDuration(value);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof FlotillaError ? `${e.message}; ${e.next}` : `"${value}" is not a duration; write e.g. 30m, 24h or 7d`);
  }
  return value;
}

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

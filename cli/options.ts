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

/** Parses `--listen [HOST:]PORT` (an IPv6 host in brackets, e.g. `[::1]:7420`). Pure. */
export function listenAddress(value: string): { host?: string; port: number } {
  const m = /^(?:(\[[0-9A-Fa-f:.]+\]|[^:[\]\s]+)?:)?(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) {
    throw new InvalidArgumentError(`expected [HOST:]PORT such as 127.0.0.1:7420, 0.0.0.0:7420, [::1]:7420 or :7420 (0 picks a free port), got "${value}"`);
  }
  const host = m[1]?.replace(/^\[(.*)\]$/, '$1');
  return host ? { host, port } : { port };
}

import { describe, expect, it } from 'vitest';
import { EXIT_CODES, FlotillaError, toFlotillaError } from '../../../core/errors.js';

describe('error taxonomy', () => {
  it('maps kinds to the exit codes of DESIGN.md and to HTTP statuses', () => {
    expect(new FlotillaError('usage', 'm', 'n').exitCode).toBe(EXIT_CODES.usage);
    expect(new FlotillaError('forbidden', 'm', 'n').exitCode).toBe(77);
    expect(new FlotillaError('forbidden', 'm', 'n').httpStatus).toBe(403);
    expect(new FlotillaError('unavailable', 'm', 'n').exitCode).toBe(69);
    expect(new FlotillaError('config', 'm', 'n').exitCode).toBe(78);
    expect(new FlotillaError('retry', 'm', 'n').exitCode).toBe(75);
  });

  it('round-trips through the wire body and keeps the next step', () => {
    const e = FlotillaError.fromBody(new FlotillaError('conflict', 'exists', 'pick another name', { details: { name: 'a' } }).toBody());
    expect(e.kind).toBe('conflict');
    expect(e.next).toBe('pick another name');
    expect(e.details).toEqual({ name: 'a' });
    expect(FlotillaError.fromBody({ code: 'weird' as never, message: 'x', next: 'y' }).kind).toBe('internal');
  });

  it('wraps unknown throwables as internal errors with a next step', () => {
    const e = toFlotillaError(new Error('boom'));
    expect(e.kind).toBe('internal');
    expect(e.exitCode).toBe(70);
    expect(e.next).toMatch(/report/);
  });
});

import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { argvAsksJson, outcomeOf } from '../../../cli/exit.js';
import { FlotillaError, type ErrorKind } from '../../../core/errors.js';

describe('error → exit status', () => {
  it.each<[ErrorKind, number]>([
    ['usage', 64],
    ['not_found', 64],
    ['conflict', 64],
    ['unavailable', 69],
    ['internal', 70],
    ['retry', 75],
    ['unauthenticated', 77],
    ['forbidden', 77],
    ['config', 78],
  ])('%s exits %i and prints error and next', (kind, code) => {
    const o = outcomeOf(new FlotillaError(kind, 'it broke', 'do this'));
    expect(o).toEqual({ code, stderr: 'error: it broke\nnext: do this\n', error: { code: kind, message: 'it broke', next: 'do this' } });
  });

  it('maps commander usage errors to 64 with a next step', () => {
    const o = outcomeOf(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"));
    expect(o.code).toBe(64);
    expect(o.stderr).toMatch(/^next: run `flotilla --help`/);
    expect(o.error).toEqual({ code: 'usage', message: "unknown option '--x'", next: 'run `flotilla --help` or `flotilla <command> --help` for usage' });
  });

  it('treats help and version as success', () => {
    expect(outcomeOf(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toEqual({ code: 0, stderr: '' });
    expect(outcomeOf(new CommanderError(0, 'commander.version', '0.1.0'))).toEqual({ code: 0, stderr: '' });
  });

  it('reports unexpected exceptions as internal (70) and asks for a report', () => {
    const o = outcomeOf(new TypeError('x is undefined'));
    expect(o.code).toBe(70);
    expect(o.stderr).toMatch(/^error: unexpected failure: TypeError: x is undefined/);
    expect(o.stderr).toMatch(/next: This is a bug in Flotilla; please report it/);
    expect(o.error).toMatchObject({ code: 'internal', message: 'unexpected failure: x is undefined' });
  });

  it('finds --json among the words before a bare "--"', () => {
    expect(argvAsksJson(['cluster', 'list', '--json'])).toBe(true);
    expect(argvAsksJson(['cluster', 'list'])).toBe(false);
    expect(argvAsksJson(['job', 'submit', '--', '--json'])).toBe(false);
  });
});

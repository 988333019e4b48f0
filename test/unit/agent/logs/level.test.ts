import { describe, expect, it } from 'vitest';
import { levelFromNumber, levelFromText, levelFromValue } from '../../../../agent/logs/level.js';

describe('level normalisation', () => {
  it('reads pino/bunyan numbers and syslog severities', () => {
    expect([10, 20, 30, 40, 50, 60].map(levelFromNumber)).toEqual(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(levelFromNumber)).toEqual(['fatal', 'fatal', 'fatal', 'error', 'warn', 'info', 'info', 'debug']);
    expect(levelFromNumber(35)).toBe('info');
    expect(levelFromNumber(8)).toBeUndefined();
    expect(levelFromNumber(-1)).toBeUndefined();
  });

  it('reads JSON level values: words in any case, numbers, numeric strings', () => {
    expect(levelFromValue('WARNING')).toBe('warn');
    expect(levelFromValue('Error')).toBe('error');
    expect(levelFromValue('critical')).toBe('fatal');
    expect(levelFromValue(50)).toBe('error');
    expect(levelFromValue('30')).toBe('info');
    expect(levelFromValue('loud')).toBeUndefined();
    expect(levelFromValue({ level: 'error' })).toBeUndefined();
  });

  it('reads klog prefixes', () => {
    expect(levelFromText('E1201 10:00:00.000000    1234 main.go:42] boom')).toBe('error');
    expect(levelFromText('W1201 10:00:00.000000 x')).toBe('warn');
    expect(levelFromText('I0101 00:00:00.000000 x')).toBe('info');
    expect(levelFromText('F0101 00:00:00.000000 x')).toBe('fatal');
  });

  it('reads leading words, bracketed words and words after a timestamp', () => {
    expect(levelFromText('ERROR could not connect')).toBe('error');
    expect(levelFromText('[warn] disk at 91%')).toBe('warn');
    expect(levelFromText('2024-01-01 10:00:00,123 INFO started')).toBe('info');
    expect(levelFromText('debug: cache miss')).toBe('debug');
  });

  it('reads logfmt level=', () => {
    expect(levelFromText('ts=2024-01-01T00:00:00Z level=error msg="db down"')).toBe('error');
    expect(levelFromText('t=1 lvl=warn msg=x')).toBe('warn');
    expect(levelFromText('at=1 severity="info" x')).toBe('info');
  });

  it('calls crashes errors', () => {
    expect(levelFromText('panic: runtime error: index out of range')).toBe('error');
    expect(levelFromText('Traceback (most recent call last):')).toBe('error');
    expect(levelFromText('Exception in thread "main" java.lang.IllegalStateException')).toBe('error');
    expect(levelFromText('java.lang.NullPointerException: x is null')).toBe('error');
  });

  it('says unknown when a line states nothing', () => {
    expect(levelFromText('GET /healthz 200 1ms')).toBe('unknown');
    expect(levelFromText('')).toBe('unknown');
    expect(levelFromText('10.0.0.1 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200')).toBe('unknown');
  });
});

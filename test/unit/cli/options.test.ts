import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { listenAddress } from '../../../cli/options.js';

describe('--listen [HOST:]PORT', () => {
  it.each([
    ['7420', { port: 7420 }],
    [':0', { port: 0 }],
    ['127.0.0.1:7420', { host: '127.0.0.1', port: 7420 }],
    ['0.0.0.0:8080', { host: '0.0.0.0', port: 8080 }],
    ['flotilla.internal:443', { host: 'flotilla.internal', port: 443 }],
    ['[::1]:7420', { host: '::1', port: 7420 }],
    ['[::]:0', { host: '::', port: 0 }],
  ])('reads %s', (text, expected) => {
    expect(listenAddress(text)).toEqual(expected);
  });

  it.each(['', 'localhost', '::1:7420', '127.0.0.1:', '127.0.0.1:65536', '127.0.0.1:http', '[::1]', 'a b:1', '1.2.3.4:-1'])('refuses "%s" as a usage error', (text) => {
    expect(() => listenAddress(text)).toThrow(InvalidArgumentError);
    expect(() => listenAddress(text)).toThrow(/expected \[HOST:\]PORT/);
  });
});

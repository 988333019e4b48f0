import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryFrom } from '../../../../cli/commands/logs.js';
import type { Io } from '../../../../cli/io.js';
import { runCli } from '../../../../cli/program.js';
import type { LogSearchResponse } from '../../../../core/logs/api.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';
import { stored } from '../logs/records.js';

afterAll(cleanupTempDirs);

function captureIo(env: NodeJS.ProcessEnv = {}): Io & { stdout: string; stderr: string } {
  const home = tempDir();
  const io = {
    stdout: '',
    stderr: '',
    out: (t: string) => void (io.stdout += t),
    err: (t: string) => void (io.stderr += t),
    env: { HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home, XDG_STATE_HOME: home, ...env },
    cwd: home,
  };
  return io;
}

/** A daemon stand-in for GET /api/v1/logs: answers `answer` and records what was asked. */
let server: Server;
let url: string;
let answer: LogSearchResponse;
const asked: URLSearchParams[] = [];
beforeEach(async () => {
  asked.length = 0;
  server = createServer((req: IncomingMessage, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    asked.push(u.searchParams);
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== 'Bearer tok') {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: { code: 'unauthenticated', message: 'bad token', next: 'make one' } }));
      return;
    }
    res.end(JSON.stringify(answer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => new Promise<void>((r) => server.close(() => r())));

const run = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const io = captureIo({ FLOTILLA_SERVER: url, FLOTILLA_TOKEN: 'tok', ...env });
  return runCli(argv, io).then((code) => ({ code, ...io }));
};

describe('flotilla logs search', () => {
  it('sends the query, limit and context, and prints one line per record', async () => {
    answer = { items: [stored(2, { level: 'error', message: 'boom' }), stored(1)] };
    const r = await run(['logs', 'search', 'level:error', '-word', '"a b"', '--limit', '5']);
    expect(r.code).toBe(0);
    expect(Object.fromEntries(asked[0] ?? [])).toEqual({ q: 'level:error -word "a b"', limit: '5' });
    expect(r.stdout).toBe('2026-12-01T10:00:02.456Z prod-eu payments/api-7d9f/api ERROR boom\n2026-12-01T10:00:01.456Z prod-eu payments/api-7d9f/api INFO  line 1\n');
    expect(r.stderr).toBe('');
  });

  it('prints context lines around hits with -- between groups, and says when older hits exist', async () => {
    answer = { items: [{ ...stored(5), context: { before: [stored(4)], after: [] } }, { ...stored(2), context: { before: [], after: [stored(3)] } }], next: 'p2' };
    const r = await run(['logs', 'search', 'line', '--context', '1']);
    expect(asked[0]?.get('context')).toBe('1');
    expect(r.stdout.split('\n').map((l) => l.split(' ').pop())).toEqual(['4', '5', '--', '2', '3', '']);
    expect(r.stderr).toMatch(/2 newest hits shown; older ones match too: raise --limit/);
  });

  it('colours only when asked and NO_COLOR is unset', async () => {
    answer = { items: [stored(1)] };
    expect((await run(['logs', 'search'], { FORCE_COLOR: '1' })).stdout).toContain('\x1b[');
    expect((await run(['logs', 'search'], { FORCE_COLOR: '1', NO_COLOR: '1' })).stdout).not.toContain('\x1b[');
    expect((await run(['logs', 'search'])).stdout).not.toContain('\x1b[');
  });

  it('--json prints the §3.6 fields, with context only under --context', async () => {
    answer = { items: [{ ...stored(5), context: { before: [stored(4)], after: [] } }] };
    const plain = JSON.parse((await run(['logs', 'search', '--json'])).stdout) as Record<string, unknown>[];
    expect(Object.keys(plain[0] ?? {})).toEqual(['id', 'ts', 'cluster', 'namespace', 'pod', 'container', 'node', 'stream', 'level', 'message', 'fields']);
    const ctx = JSON.parse((await run(['logs', 'search', '--json', '--context', '2'])).stdout) as { context: { before: unknown[] } }[];
    expect(ctx[0]?.context.before).toHaveLength(1);
  });

  it('checks the query before asking: exit 64 with the query and a caret', async () => {
    const r = await run(['logs', 'search', 'ns:payments', 'level:']);
    expect(r.code).toBe(64);
    expect(asked).toHaveLength(0);
    expect(r.stderr).toBe('error: at 18: expected a value after "level:"\n  ns:payments level:\n                    ^\nnext: Fix the query; the syntax is in docs/LOGS.md#query-language.\n');
    const j = await run(['logs', 'search', '--json', 'foo:bar']);
    expect(j.code).toBe(64);
    expect(JSON.parse(j.stdout)).toMatchObject({ error: { code: 'usage', message: expect.stringMatching(/^at 0: expected a known key/) as unknown } });
  });

  it.each([
    [['logs', 'search', '--limit', '0'], /expected a whole number from 1 to 1000/],
    [['logs', 'search', '--limit', '1001'], /expected a whole number from 1 to 1000/],
    [['logs', 'search', '--context', '51'], /expected a whole number from 0 to 50/],
    [['logs', 'search', 'x', '--limt', '5'], /unknown option --limt/],
  ])('%j is a usage error', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(message);
    expect(asked).toHaveLength(0);
  });

  it('passes daemon errors on with their next step', async () => {
    const r = await run(['logs', 'search', 'x'], { FLOTILLA_TOKEN: 'wrong' });
    expect(r.code).toBe(77);
    expect(r.stderr).toBe('error: bad token\nnext: make one\n');
  });

  it('says so when nothing matches', async () => {
    answer = { items: [] };
    const r = await run(['logs', 'search', 'nothing']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('no lines match\n');
  });
});

describe('queryFrom', () => {
  it('joins the words and keeps a valid query as written', () => {
    expect(queryFrom(['ns:a', '"b c"', '-d'], false)).toBe('ns:a "b c" -d');
    expect(queryFrom([], false)).toBe('');
  });
});

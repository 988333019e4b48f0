/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are checked by assertions, not by types */
// `flotilla logs search|tail` against a real daemon process (needs `npm run build`): signed batches
// ingested, searched as lines and as JSON, a bad query refused before any request, and a tail that
// lives through a SIGKILLed and restarted daemon printing every line once, with no gap.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirStore } from '../../../core/store/dir.js';
import { isolatedEnv, startDaemonProcess } from '../../harness/control-plane.js';
import { FakeAgent } from '../../harness/fake-agent.js';
import { assertBuilt, killAll, runCli, startCli, waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { makeBatch, makeLines, sealBatch } from '../../fixtures/logs/batches.js';
import { freePort } from '../../harness/free-port.js';

afterAll(() => {
  killAll();
  cleanupTempDirs();
});

/** A port free right now, so a restarted daemon comes back at the same URL. */

const message = (n: number) => `order ${String(n).padStart(4, '0')} ${n % 10 === 0 ? 'failed' : 'ok'}`;
const numbers = (stdout: string) => [...stdout.matchAll(/order (\d{4})/g)].map((m) => Number(m[1]));

describe('flotilla logs', () => {
  it('searches, refuses a bad query with a caret, and tails across a daemon restart without gaps or repeats', async () => {
    assertBuilt();
    const dataDir = tempDir('flotilla-cli-logs-');
    const home = isolatedEnv();
    const port = await freePort();
    const init = await runCli(['init', '--data', dataDir, '--port', String(port), '--json'], { env: home });
    expect(init.code, init.stderr).toBe(0);
    const token = (JSON.parse(init.stdout) as { token: string }).token;
    const configPath = join(dataDir, 'daemon.yaml');
    let { daemon, url } = await startDaemonProcess(configPath, home);
    const env = { ...home, FLOTILLA_SERVER: url, FLOTILLA_TOKEN: token };
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { status: res.status, body: (await res.json()) as any };
    };
    const added = await api('POST', '/api/v1/clusters', { name: 'alpha' });
    expect(added.status).toBe(201);
    const agent = new FakeAgent(added.body.bundle, new DirStore(join(dataDir, 'store')));
    await agent.register();
    await waitUntil(async () => (await api('GET', '/api/v1/clusters/alpha')).body.row.registration === 'registered', { what: 'alpha registered' });
    const start = Date.now() - 60_000;
    const ingest = async (from: number, to: number) => {
      const records = makeLines('alpha', from, to, { startMs: start, message, level: 'info' }).map((r, i) => ({ ...r, level: (from + i) % 10 === 0 ? ('error' as const) : ('info' as const) }));
      const res = await fetch(`${url}/api/v1/ingest/logs`, { method: 'POST', body: sealBatch(makeBatch('alpha', records), agent.key) });
      expect(res.status).toBe(200);
    };
    await ingest(0, 30);

    // search: newest first, the §3.6 fields in --json, context as grep shows it
    const json = await runCli(['logs', 'search', 'level:error', '--json'], { env });
    expect(json.code, json.stderr).toBe(0);
    const hits = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(hits.map((h) => h.message)).toEqual([message(20), message(10), message(0)]);
    expect(Object.keys(hits[0] ?? {})).toEqual(['id', 'ts', 'cluster', 'namespace', 'pod', 'container', 'node', 'stream', 'level', 'message', 'fields']);
    const human = await runCli(['logs', 'search', 'failed', '-"order 0000"', '--context', '1', '--limit', '1'], { env });
    expect(human.code, human.stderr).toBe(0);
    expect(numbers(human.stdout)).toEqual([19, 20, 21]);
    expect(human.stdout).toMatch(/^\S+Z alpha payments\/api-7d9f\/api ERROR order 0020 failed$/m);
    expect(human.stderr).toMatch(/older ones match too/);

    const bad = await runCli(['logs', 'search', 'cluster:alpha', 'level:bogus'], { env });
    expect(bad.code).toBe(64);
    expect(bad.stderr).toBe(
      'error: at 20: expected a level (trace, debug, info, warn, error, fatal, unknown), not "bogus"\n  cluster:alpha level:bogus\n                      ^\nnext: Fix the query; the syntax is in docs/LOGS.md#query-language.\n',
    );

    // tail: the snapshot, live lines, then a SIGKILLed daemon and lines stored while the tail is away
    const tail = startCli(['logs', 'tail', 'cluster:alpha'], { env });
    await tail.waitFor(/order 0029/);
    await ingest(30, 40);
    await tail.waitFor(/order 0039/);
    await daemon.stop('SIGKILL');
    await tail.waitFor(/lost the link to /, 20_000, 'stderr');
    ({ daemon, url } = await startDaemonProcess(configPath, home));
    await ingest(40, 60);
    await tail.waitFor(/link to \S+ is back/, 30_000, 'stderr');
    await ingest(60, 70);
    await tail.waitFor(/order 0069/);
    tail.child.kill('SIGINT');
    expect((await tail.exited).code).toBe(0);
    expect(numbers(tail.stdout())).toEqual(Array.from({ length: 70 }, (_, n) => n));
    await daemon.stop();
  });
});

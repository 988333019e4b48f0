// The file input against real files in a temp dir: following, rotation, deletion, restarts.
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../../../agent/logs/checkpoints.js';
import { FileBudget, FileInput } from '../../../../agent/logs/file-input.js';
import type { LogChunk } from '../../../../agent/logs/input.js';
import { CHECKPOINTS_FILE, openLogInputs } from '../../../../agent/logs/inputs.js';
import { recordId } from '../../../../agent/logs/record-id.js';
import type { LogDrop } from '../../../../core/logs/batch.js';
import { CONTINUED_MARKER, LOG_LIMITS, LogRecordSchema, type LogRecord } from '../../../../core/logs/record.js';
import type { LogFileInput } from '../../../../config/logs-schema.js';
import { AgentLogsConfigSchema } from '../../../../config/logs-schema.js';

let dir: string;
let open: FileInput[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-tail-'));
});
afterEach(async () => {
  for (const i of open) await i.close();
  open = [];
  rmSync(dir, { recursive: true, force: true });
});

function captureLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: pino({ level: 'warn' }, { write: (s: string) => lines.push(s) }), lines };
}

async function start(input: Partial<LogFileInput> & { paths: string[] }, over: { maxFiles?: number; holdDeletedSeconds?: number; logger?: pino.Logger } = {}): Promise<FileInput> {
  const store = await CheckpointStore.open(join(dir, CHECKPOINTS_FILE), over.logger ?? pino({ level: 'silent' }));
  const f = new FileInput({
    name: 'test',
    input: { exclude: [], format: 'plain', ...input },
    cluster: 'c1',
    podNode: () => 'node-1',
    store,
    budget: new FileBudget(over.maxFiles ?? 100),
    scanIntervalMs: 50,
    holdDeletedSeconds: over.holdDeletedSeconds ?? 300,
    cwd: dir,
    logger: over.logger ?? pino({ level: 'silent' }),
  });
  await f.start();
  open.push(f);
  return f;
}

async function stop(f: FileInput): Promise<void> {
  await f.close();
  open = open.filter((x) => x !== f);
}

/** Polls an observable condition (never a fixed sleep). */
async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Reads (and commits, unless told not to) until `n` records or the wanted drops arrived. */
async function collect(f: FileInput, n: number, opts: { commit?: boolean; drops?: number; records?: number; done?: (records: LogRecord[]) => boolean } = {}): Promise<{ records: LogRecord[]; drops: LogDrop[]; chunks: LogChunk[] }> {
  const records: LogRecord[] = [];
  const drops: LogDrop[] = [];
  const chunks: LogChunk[] = [];
  await until(`${n} records and ${opts.drops ?? 0} drops`, async () => {
    const c = await f.read({ records: opts.records ?? 1000, bytes: 1024 * 1024 }, 100);
    records.push(...c.records);
    drops.push(...c.drops);
    chunks.push(c);
    if (opts.commit !== false) await f.commit(c);
    return records.length >= n && drops.length >= (opts.drops ?? 0) && (opts.done?.(records) ?? true) ? true : undefined;
  });
  for (const r of records) LogRecordSchema.parse(r);
  return { records, drops, chunks };
}

const lines = (from: number, to: number, tag = 'line'): string => Array.from({ length: to - from }, (_, i) => `${tag} ${from + i}\n`).join('');
const messages = (rs: LogRecord[]): string[] => rs.map((r) => r.message);
const range = (from: number, to: number, tag = 'line'): string[] => Array.from({ length: to - from }, (_, i) => `${tag} ${from + i}`);
const checkpoint = (): { inputs: Record<string, { key: string; path: string; offset: number }[]> } => JSON.parse(readFileSync(join(dir, CHECKPOINTS_FILE), 'utf8')) as never;

describe('file input', () => {
  it('follows a new file from its start, with ids from identity and offset, and checkpoints on commit', async () => {
    const f = await start({ paths: ['*.log'] });
    const path = join(dir, 'app.log');
    writeFileSync(path, lines(0, 100));
    const { records } = await collect(f, 100);
    expect(messages(records)).toEqual(range(0, 100));
    const [entry] = checkpoint().inputs.test!;
    expect(entry!.path).toBe(path);
    expect(entry!.offset).toBe(Buffer.byteLength(lines(0, 100)));
    expect(records[0]!.id).toBe(recordId('c1', entry!.key, 0, 0));
    expect(records[1]!.id).toBe(recordId('c1', entry!.key, Buffer.byteLength(lines(0, 1)), 0));
    expect(records[0]).toMatchObject({ container: 'app', stream: 'stdout', node: '' });
    appendFileSync(path, lines(100, 150));
    expect(messages((await collect(f, 50)).records)).toEqual(range(100, 150));
    expect(f.figures()).toMatchObject({ linesRead: 150, bytesBehind: 0, oldestUnshippedMs: null, sources: 1, droppedLines: 0 });
  });

  it('waits for a line to end before reading it, and never returns more than the limits', async () => {
    const f = await start({ paths: ['*.log'] });
    const path = join(dir, 'app.log');
    writeFileSync(path, lines(0, 500) + 'half a li');
    const first = await f.read({ records: 50, bytes: 1024 * 1024 }, 2000);
    expect(first.records.length).toBeGreaterThan(0);
    expect(first.records.length).toBeLessThanOrEqual(50);
    const small = await f.read({ records: 1000, bytes: 100 }, 2000);
    expect(small.bytes).toBeLessThanOrEqual(100);
    await f.commit(first);
    await f.commit(small);
    const rest = await collect(f, 500 - first.records.length - small.records.length);
    expect(messages([...first.records, ...small.records, ...rest.records])).toEqual(range(0, 500));
    appendFileSync(path, 'ne\n');
    expect(messages((await collect(f, 1)).records)).toEqual(['half a line']);
  });

  it('reads a renamed file to its end and follows the new one (rename-and-create)', async () => {
    const f = await start({ paths: ['app.log'] });
    const path = join(dir, 'app.log');
    writeFileSync(path, lines(0, 100));
    await until('the file to be followed', () => f.figures().sources === 1 || undefined);
    await until('its key', () => f.figures().bytesBehind > 0 || undefined);
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, lines(100, 120)); // the writer still had the old file open
    writeFileSync(path, lines(0, 30, 'new'));
    const { records } = await collect(f, 150);
    const old = records.filter((r) => r.message.startsWith('line'));
    const fresh = records.filter((r) => r.message.startsWith('new'));
    expect(messages(old)).toEqual(range(0, 120));
    expect(messages(fresh)).toEqual(range(0, 30, 'new'));
    expect(new Set(records.map((r) => r.id)).size).toBe(150);
    // The renamed file, read and committed, is closed and leaves the checkpoint.
    await until('the old file to be released', () => (checkpoint().inputs.test!.length === 1 && f.figures().sources === 1) || undefined);
    expect(checkpoint().inputs.test![0]!.path).toBe(path);
  });

  it('restarts at 0 after copytruncate and counts what it had not read', async () => {
    const f = await start({ paths: ['*.log'] });
    const path = join(dir, 'app.log');
    writeFileSync(path, lines(0, 50));
    await collect(f, 50);
    appendFileSync(path, lines(50, 70));
    const unread = Buffer.byteLength(lines(50, 70));
    await until('the scan to see the new bytes', () => f.figures().bytesBehind === unread || undefined);
    truncateSync(path, 0);
    writeFileSync(path, lines(0, 5, 'after'));
    const { records, drops } = await collect(f, 5, { drops: 1 });
    expect(messages(records)).toEqual(range(0, 5, 'after'));
    expect(drops).toEqual([expect.objectContaining({ reason: 'truncated_unread', path, bytes: unread, lines: 0 })]);
    expect(f.figures()).toMatchObject({ droppedBytes: unread });
  });

  it('notices a copytruncate that grew past the old position by the changed first bytes', async () => {
    const f = await start({ paths: ['*.log'] });
    const path = join(dir, 'app.log');
    writeFileSync(path, lines(0, 50));
    await collect(f, 50);
    truncateSync(path, 0);
    writeFileSync(path, lines(0, 200, 'rewritten'));
    const { records } = await collect(f, 200);
    expect(messages(records)).toEqual(range(0, 200, 'rewritten'));
  });

  it('reads a deleted file on through its fd', async () => {
    const f = await start({ paths: ['*.log'] });
    const path = join(dir, 'app.log');
    writeFileSync(path, lines(0, 40));
    await until('its key', () => f.figures().bytesBehind > 0 || undefined);
    unlinkSync(path);
    const { records } = await collect(f, 40);
    expect(messages(records)).toEqual(range(0, 40));
    await until('the deleted file to be closed', () => f.figures().sources === 0 || undefined);
    expect(f.figures().droppedLines).toBe(0);
  });

  it('counts the unread lines of a deleted file held past holdDeletedSeconds as dropped', async () => {
    const f = await start({ paths: ['*.log'] }, { holdDeletedSeconds: 0 });
    const path = join(dir, 'app.log');
    writeFileSync(path, lines(0, 30));
    await until('its key', () => f.figures().bytesBehind > 0 || undefined);
    const first = await f.read({ records: 10, bytes: 1024 * 1024 }, 2000);
    const got = first.records.length;
    expect(got).toBeGreaterThan(0);
    unlinkSync(path);
    // Nothing reads meanwhile (as when the next hop is away): the scan lets the file go.
    await until('the held file to be let go', () => f.figures().sources === 0 || undefined);
    const { drops } = await collect(f, 0, { drops: 1 });
    expect(drops).toEqual([expect.objectContaining({ reason: 'held_too_long', lines: 30 - got, bytes: Buffer.byteLength(lines(got, 30)) })]);
    expect(f.figures()).toMatchObject({ droppedLines: 30 - got, sources: 0 });
  });

  it('resumes from its checkpoint after a restart: same ids, nothing committed comes again', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, lines(0, 100));
    const a = await start({ paths: ['*.log'] });
    const c1 = await a.read({ records: 40, bytes: 1024 * 1024 }, 5000);
    await a.commit(c1);
    const uncommitted = await a.read({ records: 20, bytes: 1024 * 1024 }, 5000);
    await stop(a);
    const b = await start({ paths: ['*.log'] });
    const { records } = await collect(b, 100 - c1.records.length);
    expect(messages([...c1.records, ...records])).toEqual(range(0, 100));
    // What was read but not committed comes again, with the same ids.
    expect(records.slice(0, uncommitted.records.length).map((r) => r.id)).toEqual(uncommitted.records.map((r) => r.id));
  });

  it('finds a file renamed while the agent was down and resumes it; the new file starts at 0', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, lines(0, 60));
    const a = await start({ paths: ['app.log'] });
    const c1 = await a.read({ records: 25, bytes: 1024 * 1024 }, 5000);
    await a.commit(c1);
    await stop(a);
    renameSync(path, `${path}.1`);
    writeFileSync(path, lines(0, 10, 'new'));
    const b = await start({ paths: ['app.log'] });
    const { records, drops } = await collect(b, 60 - c1.records.length + 10);
    expect(drops).toEqual([]);
    expect(messages(records.filter((r) => r.message.startsWith('line')))).toEqual(range(c1.records.length, 60));
    expect(messages(records.filter((r) => r.message.startsWith('new')))).toEqual(range(0, 10, 'new'));
  });

  it('finds a file followed while still empty after it was rotated out of the globs while the agent was down', async () => {
    // The agent follows app.log while it is empty (no identity yet), then dies; the file fills and is
    // renamed to app.log.1, which *.log does not match. Its lines must still be read, none dropped.
    const path = join(dir, 'app.log');
    writeFileSync(path, '');
    const a = await start({ paths: ['*.log'] });
    const saved = JSON.parse(readFileSync(join(dir, CHECKPOINTS_FILE), 'utf8')) as { pending: Record<string, { path: string }[]> };
    expect(saved.pending.test).toEqual([expect.objectContaining({ path, size: 0 })]);
    await stop(a);
    appendFileSync(path, lines(0, 40));
    renameSync(path, `${path}.1`);
    writeFileSync(path, lines(0, 5, 'new'));
    const b = await start({ paths: ['*.log'] });
    const { records, drops } = await collect(b, 45);
    expect(drops).toEqual([]);
    expect(messages(records.filter((r) => r.message.startsWith('line')))).toEqual(range(0, 40));
    expect(messages(records.filter((r) => r.message.startsWith('new')))).toEqual(range(0, 5, 'new'));
  });

  it('follows a file created and rotated out of the globs while the agent was down', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, lines(0, 30));
    const a = await start({ paths: ['*.log'] });
    await collect(a, 30);
    await stop(a);
    renameSync(path, `${path}.1`);
    writeFileSync(path, lines(0, 20, 'mid')); // never seen: created and rotated away while down
    renameSync(path, `${path}.2`);
    writeFileSync(path, lines(0, 5, 'new'));
    writeFileSync(join(dir, 'other.txt.1'), lines(0, 3, 'unrelated')); // not named after a followed file
    const b = await start({ paths: ['*.log'] });
    const { records, drops } = await collect(b, 25);
    expect(drops).toEqual([]);
    expect(messages(records.filter((r) => r.message.startsWith('mid')))).toEqual(range(0, 20, 'mid'));
    expect(messages(records.filter((r) => r.message.startsWith('new')))).toEqual(range(0, 5, 'new'));
    expect(records.filter((r) => /^(line|unrelated) /.test(r.message))).toEqual([]);
  });

  it('does not take a rotated file it read and let go for one rotated while it was down', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, lines(0, 30));
    const a = await start({ paths: ['*.log'] });
    await collect(a, 30);
    renameSync(path, `${path}.1`);
    writeFileSync(path, lines(0, 5, 'new'));
    await collect(a, 5);
    await until('the rotated file to be let go', () => (checkpoint().inputs.test!.length === 1 ? true : undefined));
    await stop(a);
    appendFileSync(path, lines(5, 8, 'new'));
    const b = await start({ paths: ['*.log'] });
    const { records } = await collect(b, 3);
    // One more read finds nothing else: app.log.1 is not read again.
    const more = await b.read({ records: 1000, bytes: 1024 * 1024 }, 300);
    expect(messages([...records, ...more.records])).toEqual(range(5, 8, 'new'));
  });

  it('goes on from the checkpoint in the copy after a copytruncate while the agent was down', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, lines(0, 60));
    const a = await start({ paths: ['*.log'] });
    const c1 = await a.read({ records: 25, bytes: 1024 * 1024 }, 5000);
    await a.commit(c1);
    const key = checkpoint().inputs.test![0]!.key;
    await stop(a);
    writeFileSync(`${path}.1`, readFileSync(path)); // copytruncate: copy, then truncate in place
    truncateSync(path, 0);
    appendFileSync(path, lines(0, 4, 'after'));
    const b = await start({ paths: ['*.log'] });
    const n = c1.records.length;
    const { records, drops } = await collect(b, 60 - n + 4);
    expect(drops).toEqual([]);
    const old = records.filter((r) => r.message.startsWith('line'));
    expect(messages(old)).toEqual(range(n, 60));
    // The same key, so what was committed keeps its ids and what follows continues them.
    expect(old[0]!.id).toBe(recordId('c1', key, Buffer.byteLength(lines(0, n)), 0));
    expect(messages(records.filter((r) => r.message.startsWith('after')))).toEqual(range(0, 4, 'after'));
  });

  it('reports a file followed while still empty and gone after a restart as missing', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, 'x');
    const a = await start({ paths: ['*.log'] });
    await stop(a);
    unlinkSync(path);
    const b = await start({ paths: ['*.log'] });
    const { drops } = await collect(b, 0, { drops: 1 });
    expect(drops).toEqual([expect.objectContaining({ reason: 'missing_after_restart', path, lines: 0, bytes: 1 })]);
  });

  it('reports a checkpointed file that is gone after a restart as missing, with its unshipped bytes', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, lines(0, 60));
    const a = await start({ paths: ['*.log'] });
    const c1 = await a.read({ records: 25, bytes: 1024 * 1024 }, 5000);
    await a.commit(c1);
    await stop(a);
    unlinkSync(path);
    const b = await start({ paths: ['*.log'] });
    const { drops } = await collect(b, 0, { drops: 1 });
    expect(drops).toEqual([expect.objectContaining({ reason: 'missing_after_restart', path, lines: 0, bytes: Buffer.byteLength(lines(c1.records.length, 60)) })]);
  });

  it('takes an inode whose first bytes changed while down for a new file', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, lines(0, 60));
    const a = await start({ paths: ['*.log'] });
    const { records: before } = await collect(a, 60);
    const oldKey = checkpoint().inputs.test![0]!.key;
    await stop(a);
    writeFileSync(path, lines(0, 80, 'other')); // same inode, other content
    const b = await start({ paths: ['*.log'] });
    const { records, drops } = await collect(b, 80);
    expect(messages(records)).toEqual(range(0, 80, 'other'));
    // Everything of the old file was committed, so nothing of it is counted as lost.
    expect(drops).toEqual([]);
    expect(checkpoint().inputs.test![0]!.key).not.toBe(oldKey);
    expect(records[0]!.id).not.toBe(before[0]!.id);
  });

  it('keys a short file once it stops growing, keeps the key as it grows, and finds it again after a restart', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, 'short 0\n');
    const a = await start({ paths: ['*.log'] });
    expect(messages((await collect(a, 1)).records)).toEqual(['short 0']);
    const key = checkpoint().inputs.test![0]!.key;
    expect(key.endsWith('-8')).toBe(true); // fingerprint over the 8 bytes it had
    appendFileSync(path, lines(0, 100));
    await collect(a, 100);
    await stop(a);
    appendFileSync(path, lines(100, 110));
    const b = await start({ paths: ['*.log'] });
    const { records, drops } = await collect(b, 10);
    expect(drops).toEqual([]);
    expect(messages(records)).toEqual(range(100, 110));
    expect(checkpoint().inputs.test![0]!.key).toBe(key);
  });

  it('sets a damaged checkpoint file aside and starts over with the same ids', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, lines(0, 50));
    const a = await start({ paths: ['*.log'] });
    const { records: first } = await collect(a, 50);
    await stop(a);
    writeFileSync(join(dir, CHECKPOINTS_FILE), '{"version":1,"inputs":{"test":[{"key":');
    const { logger, lines: logged } = captureLogger();
    const b = await start({ paths: ['*.log'] }, { logger });
    const { records } = await collect(b, 50);
    expect(records.map((r) => r.id)).toEqual(first.map((r) => r.id));
    expect(logged.some((l) => l.includes('log checkpoints unreadable'))).toBe(true);
  });

  it('caps a glob matching 5,000 files and reports the rest once', async () => {
    const many = join(dir, 'many');
    mkdirSync(many);
    for (let i = 0; i < 5000; i++) writeFileSync(join(many, `f${String(i).padStart(4, '0')}.log`), `hello from ${i} ${'x'.repeat(256)}\n`);
    const { logger, lines: logged } = captureLogger();
    const f = await start({ paths: ['many/*.log'] }, { maxFiles: 200, logger });
    expect(f.figures().sources).toBe(200);
    expect(f.figures().refused).toEqual([expect.objectContaining({ reason: expect.stringContaining('4800 matching files not followed') as string })]);
    await collect(f, 200);
    // More scans, still one warning.
    const scansBefore = logged.length;
    await until('a few more scans', async () => (await f.read({ records: 10, bytes: 1024 }, 300)).records.length === 0 || undefined);
    expect(logged.filter((l) => l.includes('logs.maxFiles')).length).toBe(1);
    expect(logged.length).toBe(scansBefore);
  });

  it('reads a 10 MB line as marked parts that together hold all of it', async () => {
    const f = await start({ paths: ['*.log'] });
    const big = 'ERROR ' + 'y'.repeat(10 * 1024 * 1024);
    writeFileSync(join(dir, 'big.log'), `before\n${big}\nafter\n`);
    const { records } = await collect(f, 3, { done: (rs) => rs.at(-1)?.message === 'after' });
    expect(records.length).toBeGreaterThanOrEqual(2 + Math.ceil(big.length / LOG_LIMITS.messageBytes));
    expect(records[0]!.message).toBe('before');
    expect(records.at(-1)!.message).toBe('after');
    const parts = records.slice(1, -1);
    expect(parts.slice(0, -1).every((r) => r.message.endsWith(CONTINUED_MARKER))).toBe(true);
    expect(parts.map((r) => r.message.replace(CONTINUED_MARKER, '')).join('')).toBe(big);
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
  });

  it('keeps binary garbage and invalid UTF-8 as records and counts the garbage', async () => {
    const f = await start({ paths: ['*.log'] });
    const garbage = Buffer.from(Array.from({ length: 3000 }, (_, i) => ((i * 7919) % 255) + 1).filter((b) => b !== 10));
    writeFileSync(join(dir, 'bin.log'), Buffer.concat([Buffer.from('ok\n'), garbage, Buffer.from('\n'), Buffer.from([0x61, 0xff, 0x62, 0x0a])]));
    const { records } = await collect(f, 3);
    expect(records[0]!.message).toBe('ok');
    expect(records[1]!.level).toBe('unknown');
    expect(records[2]!.message).toBe('a\ufffdb');
    expect(f.figures().malformed).toBe(1);
  });
});

describe('openLogInputs', () => {
  it('follows the sim backend CRI files under the data dir, with namespace, pod, container and node', async () => {
    const config = { cluster: 'sim-1', agent: { backend: 'sim' as const }, logs: AgentLogsConfigSchema.parse({ scanIntervalMs: 50 }) };
    const podDir = join(dir, 'sim-logs', 'pods', 'payments_api-1_uid-1', 'api');
    mkdirSync(podDir, { recursive: true });
    writeFileSync(join(podDir, '0.log'), '2026-12-01T10:00:00.000000001Z stderr F {"level":"error","msg":"card declined","order":{"id":7}}\n');
    const inputs = await openLogInputs(config, { dataDir: dir, cluster: 'sim-1', backendKind: 'sim', podNode: (ns, pod) => (ns === 'payments' && pod === 'api-1' ? 'node-a' : undefined), logger: pino({ level: 'silent' }) });
    open.push(...(inputs as FileInput[]));
    expect(inputs).toHaveLength(1);
    const { records } = await collect(inputs[0] as FileInput, 1);
    expect(records[0]).toMatchObject({ cluster: 'sim-1', namespace: 'payments', pod: 'api-1', container: 'api', node: 'node-a', stream: 'stderr', level: 'error', message: 'card declined', fields: { 'order.id': 7 }, ts: '2026-12-01T10:00:00.000000001Z' });
  });
});

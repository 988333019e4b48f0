// The loss test of issue #7: three agent processes (sim backend, a `plain` input the test writes to),
// 100,000 numbered lines across them while their files rotate, the daemon SIGKILLed twice and each
// agent once. Afterwards every numbered line is searchable exactly once and no other numbered line
// exists; the lines the test deliberately let go beyond reach (a file deleted while the daemon was
// away, held past holdDeletedSeconds) are exactly the lines reported as dropped.
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { HELD_BATCHES } from '../../../agent/logs/pipeline.js';
import type { LogSearchResponse } from '../../../core/logs/api.js';
import type { ClusterDetail } from '../../../core/fleet.js';
import { isolatedEnv } from '../../harness/control-plane.js';
import { killAll, runCli, startCli, waitUntil, type Proc } from '../../harness/proc.js';
import { metricValue } from '../../harness/prom-text.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { freePort } from '../../harness/free-port.js';

const AGENTS = 3;
const TOTAL = 100_000;
const CHUNK = 500;
/** Lines per file before the test rotates it (rename, then a new file under the old name). */
const ROTATE_EVERY = 7_000;
const BATCH_RECORDS = 500;
/** Lines written to a file the test then deletes while the daemon is down. */
const LET_GO = 3_000;
/** Pause between chunks of CHUNK lines. */
const PACE_MS = 50;

describe('logs: nothing acked is lost, nothing is stored twice, every loss is counted', () => {
  let data: string;
  let env: NodeJS.ProcessEnv;
  let configPath: string;
  let daemon: Proc;
  let url: string;
  let token: string;
  const agents: { name: string; bundle: string; dir: string; logDir: string; metricsPort: number; proc?: Proc; rotations: number }[] = [];

  const startDaemon = async () => {
    daemon = startCli(['daemon', '--config', configPath], { env });
    await daemon.waitFor(/listening on (\S+)/, 20_000, 'stderr');
  };
  const startAgent = (a: (typeof agents)[number]) => {
    a.proc = startCli(['agent', '--config', a.bundle, '--data', a.dir, '--backend', 'sim'], { env });
  };
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  /** Every stored record matching q, in stored order, through the `after` cursor pages. */
  const everything = async (q: string): Promise<string[]> => {
    const messages: string[] = [];
    let after = '';
    for (;;) {
      const page = await api<LogSearchResponse>(`/api/v1/logs?q=${encodeURIComponent(q)}&limit=1000&after=${encodeURIComponent(after)}`);
      messages.push(...page.items.map((r) => r.message));
      if (!page.next) return messages;
      after = page.next;
    }
  };
  const searchableCount = async (q: string) => (await everything(q)).length;

  let written = 0;
  /** Appends numbered lines up to `upTo` at about 10,000 lines/s, as a busy service would, rotating as it goes. */
  const writeNumbered = async (upTo: number) => {
    while (written < upTo) {
      await new Promise((r) => setTimeout(r, PACE_MS));
      const a = agents[Math.floor(written / CHUNK) % AGENTS]!;
      const n = Math.min(CHUNK, upTo - written);
      const lines = Array.from({ length: n }, (_, i) => `loss-line ${written + i} agent ${a.name}\n`).join('');
      appendFileSync(join(a.logDir, 'app.log'), lines);
      written += n;
      const perAgent = Math.floor(written / (CHUNK * AGENTS)) * CHUNK;
      if (perAgent >= (a.rotations + 1) * ROTATE_EVERY) {
        a.rotations += 1;
        renameSync(join(a.logDir, 'app.log'), join(a.logDir, `app.log.${a.rotations}`));
        writeFileSync(join(a.logDir, 'app.log'), '');
      }
    }
  };

  beforeAll(async () => {
    data = tempDir('flotilla-loss-');
    env = isolatedEnv();
    const port = await freePort();
    const init = await runCli(['init', '--data', data, '--port', String(port), '--json'], { env });
    expect(init.code, init.stderr).toBe(0);
    token = (JSON.parse(init.stdout) as { token: string }).token;
    configPath = join(data, 'daemon.yaml');
    url = `http://127.0.0.1:${port}`;
    env = { ...env, FLOTILLA_SERVER: url, FLOTILLA_TOKEN: token };
    await startDaemon();
    for (let i = 0; i < AGENTS; i++) {
      const name = `loss-${i}`;
      const bundle = join(data, `${name}.yaml`);
      const add = await runCli(['cluster', 'add', name, '--interval', '1', '--out', bundle], { env });
      expect(add.code, add.stderr).toBe(0);
      const logDir = join(data, `${name}-logs`);
      mkdirSync(logDir);
      writeFileSync(join(logDir, 'app.log'), '');
      const config = parseYaml(readFileSync(bundle, 'utf8')) as Record<string, unknown>;
      config.logs = {
        inputs: [{ paths: [join(logDir, '*.log')], format: 'plain' }],
        scanIntervalMs: 100,
        holdDeletedSeconds: 1,
        batch: { maxRecords: BATCH_RECORDS, maxBytes: 1024 * 1024, flushMs: 100 },
        retry: { initialMs: 50, maxMs: 500 },
      };
      config.sim = { ...(config.sim as object), logs: { enabled: false } };
      const metricsPort = await freePort();
      config.agent = { ...(config.agent as object), metricsPort };
      writeFileSync(bundle, stringifyYaml(config), { mode: 0o600 });
      const a = { name, bundle, dir: join(data, `${name}-agent`), logDir, metricsPort, rotations: 0 };
      agents.push(a);
      startAgent(a);
    }
  }, 60_000);

  afterAll(async () => {
    for (const a of agents) await a.proc?.stop();
    await daemon?.stop();
    killAll();
    if (!process.env.KEEP_TMP) cleanupTempDirs();
    else process.stderr.write(`kept ${data}\n`);
  });

  it('stores 100,000 numbered lines exactly once through two daemon and three agent SIGKILLs', async () => {
    // Every agent registered and shipping before the first line, so each kill below hits a running chain.
    await waitUntil(async () => {
      const rows = JSON.parse((await runCli(['cluster', 'list', '--json'], { env })).stdout) as { registration: string }[];
      return rows.filter((r) => r.registration === 'registered').length === AGENTS ? true : undefined;
    }, { what: 'every agent registered' });
    await writeNumbered(15_000);
    await daemon.stop('SIGKILL');
    await writeNumbered(30_000);
    await startDaemon();
    await writeNumbered(45_000);
    for (const [i, a] of agents.entries()) {
      await a.proc!.stop('SIGKILL');
      await writeNumbered(45_000 + (i + 1) * 5_000);
      startAgent(a);
    }
    await writeNumbered(70_000);
    await daemon.stop('SIGKILL');
    await writeNumbered(85_000);
    await startDaemon();
    await writeNumbered(TOTAL);

    // A timeout falls through to the checks below, which name the lines missing or repeated.
    await waitUntil(async () => ((await searchableCount('loss-line')) >= TOTAL ? true : undefined), { timeoutMs: 120_000, intervalMs: 1000, what: 'every numbered line searchable' }).catch(() => undefined);
    const messages = await everything('loss-line');
    const seen = new Map<number, number>();
    for (const m of messages) {
      const n = Number(/^loss-line (\d+) /.exec(m)?.[1]);
      seen.set(n, (seen.get(n) ?? 0) + 1);
    }
    const repeated = [...seen].filter(([, c]) => c > 1).map(([n]) => n);
    const foreign = [...seen.keys()].filter((n) => !(Number.isInteger(n) && n >= 0 && n < TOTAL));
    expect(repeated.slice(0, 10)).toEqual([]);
    expect(foreign.slice(0, 10)).toEqual([]);
    const missing = Array.from({ length: TOTAL }, (_, n) => n).filter((n) => !seen.has(n));
    const missingRanges: string[] = [];
    for (const n of missing) {
      const last = missingRanges.at(-1);
      const m = last ? /^(\d+)-(\d+)$/.exec(last) : null;
      if (m && Number(m[2]) === n - 1) missingRanges[missingRanges.length - 1] = `${m[1]}-${n}`;
      else missingRanges.push(`${n}-${n}`);
    }
    expect(missingRanges.slice(0, 30)).toEqual([]);
    expect(seen.size).toBe(TOTAL);
  }, 240_000);

  it('counts as dropped exactly the lines of a file deleted beyond reach while the daemon was away', async () => {
    const a = agents[1]!;
    const dropped = async () => (await api<ClusterDetail>(`/api/v1/clusters/${a.name}`)).logDrops?.lines ?? 0;
    const before = await dropped();
    const agentMetric = async (name: string) => metricValue(await (await fetch(`http://127.0.0.1:${a.metricsPort}/metrics`)).text(), name);
    const agentDropped = () => agentMetric('flotilla_agent_log_dropped_lines_total');
    const agentBefore = await agentDropped();
    const readBefore = await agentMetric('flotilla_agent_log_lines_read_total');
    await daemon.stop('SIGKILL');
    appendFileSync(join(a.logDir, 'app.log'), Array.from({ length: LET_GO }, (_, i) => `let-go-line ${i}\n`).join(''));
    // The agent reads up to HELD_BATCHES batches of them and holds them while the daemon is away; the rest stay unread.
    await waitUntil(async () => ((await agentMetric('flotilla_agent_log_lines_read_total')) > readBefore ? true : undefined), { what: 'the agent to read' });
    renameSync(join(a.logDir, 'app.log'), join(a.logDir, 'gone.tmp'));
    rmSync(join(a.logDir, 'gone.tmp'));
    writeFileSync(join(a.logDir, 'app.log'), '');
    // holdDeletedSeconds is 1: the agent lets the deleted file go and counts what it had not read.
    const agentCounted = await waitUntil(async () => {
      const d = (await agentDropped()) - agentBefore;
      return d > 0 ? d : undefined;
    }, { what: 'the agent to count the lines it let go' });
    await startDaemon();
    const reported = await waitUntil(async () => {
      const d = (await dropped()) - before;
      return d > 0 ? d : undefined;
    }, { timeoutMs: 30_000, what: 'the drop to be reported' });
    // What the agent still held in memory (at most HELD_BATCHES batches) was shipped, not dropped.
    const shipped = await waitUntil(async () => {
      const lines = await everything('let-go-line');
      return new Set(lines).size === lines.length && lines.length + reported === LET_GO ? lines.length : undefined;
    }, { timeoutMs: 30_000, what: 'shipped + dropped to account for every let-go line' });
    expect(shipped).toBeLessThanOrEqual(HELD_BATCHES * BATCH_RECORDS);
    expect(reported).toBe(LET_GO - shipped);
    expect(agentCounted).toBe(reported);
  }, 120_000);
});

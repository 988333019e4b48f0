// Agent job poll benchmark (issue 6, item 8): what one poll of the real JobRunner costs — wall time
// and store requests — with 10 and with 10,000 finished jobs of its cluster still in the store
// (envelopes and results, as a busy day inside the retention window leaves them), on the directory
// store and on S3 (s3rver). The agent's journal is at the high-water seq, nothing is open, so every
// poll after the first is the steady idle poll. The first poll after a start is shown on its own: it
// includes the one-time recovery (own status report, results above the journal). For contrast, the
// time to list jobs/, which is what every poll cost before it asked for keys above the high-water
// seq instead.
import { randomUUID } from 'node:crypto';
import { JobJournal } from '../../agent/jobs/journal.js';
import { sealResult } from '../../agent/jobs/result.js';
import { JobRunner } from '../../agent/jobs/runner.js';
import { silentLogger } from '../../core/log.js';
import { countedStore, type StoreOp } from '../../core/store/counted.js';
import { generateSigningKey } from '../../core/keys.js';
import { generateEncryptionKey } from '../../core/secrets.js';
import { storeKeys } from '../../core/store/types.js';
import { CountingActions } from '../fixtures/jobs/helpers.js';
import { cleanupTempDirs, tempDir } from '../harness/tmp.js';
import { cheapJob, writeJob } from './job-agent.js';
import { storeUnderTest, type StoreKind } from './jobs.js';
import { summarize } from './proc-sampler.js';

export interface AgentPollResult {
  store: StoreKind;
  finishedJobs: number;
  runs: number;
  pollsPerRun: number;
  /** Every steady poll of every run. */
  pollMs: ReturnType<typeof summarize>;
  /** The median steady poll of each run: the spread between runs. */
  p50ByRunMs: number[];
  /** Store requests per steady poll (every poll asks the same). */
  requestsPerPoll: Record<StoreOp, number>;
  /** The first poll after each start, with its recovery. */
  firstPollMs: number[];
  /** `list(jobs/)` of that cluster: the old poll's floor. */
  listJobsMs: ReturnType<typeof summarize>;
}

const WRITE_WIDTH = 32;
const WARMUP_POLLS = 5;

async function inBatches<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(fn));
}

export async function benchAgentPoll(kind: StoreKind, counts: number[], opts: { runs: number; polls: number; log?: (s: string) => void }): Promise<AgentPollResult[]> {
  const log = opts.log ?? (() => undefined);
  const sut = await storeUnderTest(kind);
  const controlPlane = generateSigningKey();
  const agentKey = generateSigningKey();
  const encryption = generateEncryptionKey();
  const out: AgentPollResult[] = [];
  try {
    // Every store is filled first and the runs then go round the counts, so warm-up and the load of
    // a shared machine fall on all of them alike.
    const clusters = new Map<number, { cluster: string; dataDir: string }>();
    for (const n of counts) {
      const cluster = `poll-${kind}-${n}`;
      log(`  ${kind}: writing ${n} finished jobs (envelope and result each)`);
      const seqs = Array.from({ length: n }, (_, i) => i + 1);
      await inBatches(seqs, WRITE_WIDTH, async (seq) => {
        await writeJob(sut.store, controlPlane, cheapJob(cluster, agentKey.keyid, seq));
        const at = new Date().toISOString();
        await sut.store.put(storeKeys.result(cluster, seq), sealResult({ cluster, seq, id: randomUUID(), state: 'succeeded', startedAt: at, finishedAt: at, detail: 'bench' }, agentKey));
      });
      const dataDir = tempDir('flotilla-bench-poll-');
      const { journal } = await JobJournal.open(dataDir, agentKey.keyid);
      await journal.raiseFloor(n);
      await journal.close();
      clusters.set(n, { cluster, dataDir });
    }
    const acc = new Map(counts.map((n) => [n, { polls: [] as number[], p50ByRun: [] as number[], firsts: [] as number[], lists: [] as number[], requests: { get: 0, put: 0, head: 0, headMany: 0, list: 0, delete: 0 } }]));
    for (let run = 0; run < opts.runs; run += 1) {
      for (const n of counts) {
        const { cluster, dataDir } = clusters.get(n)!;
        const a = acc.get(n)!;
        log(`  ${kind}: run ${run + 1} with ${n} finished jobs`);
        for (let i = 0; i < 3; i += 1) {
          const t = performance.now();
          await sut.store.list(storeKeys.jobsPrefix(cluster));
          a.lists.push(performance.now() - t);
        }
        const counted: Record<StoreOp, number> = { get: 0, put: 0, head: 0, headMany: 0, list: 0, delete: 0 };
        const runner = await JobRunner.open({
          cluster,
          store: countedStore(sut.store, (op) => (counted[op] += 1)),
          actions: new CountingActions(),
          key: agentKey,
          encryption,
          controlPlane: { keyid: controlPlane.keyid, publicKey: controlPlane.publicKey },
          dataDir,
          pollIntervalMs: 1000,
          logger: silentLogger(),
        });
        let t = performance.now();
        await runner.pollNow();
        a.firsts.push(performance.now() - t);
        if (runner.lastJobSeq() !== n) throw new Error(`the runner's high-water seq is ${runner.lastJobSeq()}, expected ${n}`);
        // A few unmeasured polls, so the first measured ones do not pay for warming up the code paths.
        for (let i = 0; i < WARMUP_POLLS; i += 1) await runner.pollNow();
        const runPolls: number[] = [];
        for (let i = 0; i < opts.polls; i += 1) {
          for (const op of Object.keys(counted) as StoreOp[]) counted[op] = 0;
          t = performance.now();
          await runner.pollNow();
          runPolls.push(performance.now() - t);
          for (const op of Object.keys(counted) as StoreOp[]) a.requests[op] += counted[op];
        }
        await runner.stop();
        a.polls.push(...runPolls);
        a.p50ByRun.push(summarize(runPolls).p50);
      }
    }
    const total = opts.runs * opts.polls;
    for (const n of counts) {
      const a = acc.get(n)!;
      out.push({
        store: kind,
        finishedJobs: n,
        runs: opts.runs,
        pollsPerRun: opts.polls,
        pollMs: summarize(a.polls),
        p50ByRunMs: a.p50ByRun,
        requestsPerPoll: Object.fromEntries(Object.entries(a.requests).map(([op, c]) => [op, c / total])) as Record<StoreOp, number>,
        firstPollMs: a.firsts,
        listJobsMs: summarize(a.lists),
      });
    }
    return out;
  } finally {
    await sut.stop();
    cleanupTempDirs();
  }
}

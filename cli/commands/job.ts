// `flotilla job submit|list|show|cancel`: thin over the REST job endpoints, human tables or --json.
import type { Command } from 'commander';
import { ageSince, formatAge } from '../../core/duration.js';
import { FlotillaError } from '../../core/errors.js';
import type { JobRecord } from '../../core/jobs.js';
import type { ClientFlags } from '../client-config.js';
import type { JobSubmitResponse } from '../client.js';
import { clientFor, type Io } from '../io.js';
import { collect, duration } from '../options.js';
import { renderJson, renderTable, truncate } from '../table.js';

/** Params that are always lists: a comma list or repeated keys. */
const LIST_PARAMS = new Set(['namespaces', 'keys']);

function jsonOrString(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Parses repeated `--param k=v`: values as JSON where they parse, else strings; repeated keys make arrays. Pure. */
export function parseParams(texts: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const text of texts) {
    const eq = text.indexOf('=');
    if (eq <= 0) throw new FlotillaError('usage', `--param "${text}" is not key=value`, 'Write params as --param key=value, e.g. --param replicas=3 --param namespaces=apps,web.');
    const key = text.slice(0, eq);
    const raw = text.slice(eq + 1);
    const values = LIST_PARAMS.has(key) && !raw.startsWith('[') ? raw.split(',').map((v) => v.trim()).filter((v) => v !== '') : [jsonOrString(raw)];
    const flat = values.flatMap((v) => (LIST_PARAMS.has(key) && Array.isArray(v) ? (v as unknown[]) : [v]));
    const prev = out[key];
    if (prev === undefined) out[key] = LIST_PARAMS.has(key) ? flat : flat[0];
    else out[key] = [...(Array.isArray(prev) ? (prev as unknown[]) : [prev]), ...flat];
  }
  return out;
}

function age(iso: string, now: number): string {
  return formatAge(ageSince(iso, now));
}

export function jobTable(jobs: readonly JobRecord[], now = Date.now()): string {
  return renderTable(
    ['ID', 'CLUSTER', 'SEQ', 'TYPE', 'STATE', 'AGE', 'DETAIL'],
    jobs.map((j) => [j.id, j.cluster, String(j.seq), j.type, j.state, age(j.submittedAt, now), truncate(j.result?.detail ?? '-', 60)]),
  );
}

export function jobDetail(j: JobRecord): string {
  const lines: [string, string][] = [
    ['id', j.id],
    ['cluster', `${j.cluster} (seq ${j.seq})`],
    ['type', `${j.type}${j.destructive ? ' (destructive)' : ''}`],
    ['state', j.state],
    ['params', JSON.stringify(j.params)],
    ['issuer', `${j.issuer.name} (${j.issuer.tokenId})`],
    ['submitted', j.submittedAt],
    ['expires', j.notAfter],
  ];
  if (j.fleetJobId) lines.push(['fleet job', j.fleetJobId]);
  if (j.result) {
    lines.push(['result', `${j.result.state}${j.result.reason ? ` (${j.result.reason})` : ''}: ${j.result.detail}`]);
    lines.push(['ran', `${j.result.startedAt} → ${j.result.finishedAt}`]);
    if (j.result.output) lines.push(['output', JSON.stringify(j.result.output)]);
  }
  return lines.map(([k, v]) => `${`${k}:`.padEnd(11)}${v}`).join('\n') + '\n';
}

export function dryRunText(res: Extract<JobSubmitResponse, { dryRun: unknown }>): string {
  const out: string[] = [];
  for (const c of res.dryRun.clusters) {
    out.push(`${c.cluster}:`);
    for (const a of c.affected) out.push(`  ${a}`);
    if (c.warning) out.push(`  (${c.warning})`);
  }
  return out.join('\n') + '\n';
}

interface SubmitOptions {
  selector?: string;
  param?: string[];
  dryRun?: boolean;
  yes?: boolean;
  expires?: string;
  json?: boolean;
}

export function registerJob(program: Command, io: Io): void {
  const job = program.command('job').description('submit, list, show and cancel jobs (single clusters or fleet-wide)');

  job
    .command('submit')
    .description('submit a job to CLUSTER, or to every cluster matching --selector')
    .usage('(CLUSTER | --selector SEL) TYPE [--param k=v]… [--dry-run] [--yes] [--expires 1h]')
    .argument('<target...>', 'CLUSTER TYPE, or just TYPE with --selector')
    .option('--selector <selector>', 'label selector for a fleet job, e.g. env=staging,team=payments')
    .option('--param <key=value>', 'a job parameter (JSON value or string); repeat for more', collect)
    .option('--dry-run', 'show the clusters and objects affected; write nothing')
    .option('--yes', 'confirm a destructive fleet job (after a dry run)')
    .option('--expires <duration>', 'agents refuse the job after this long (default 1h)', duration)
    .option('--json', 'print the daemon response as JSON')
    .action(async (target: string[], opts: SubmitOptions, cmd: Command) => {
      const expected = opts.selector ? 1 : 2;
      if (target.length !== expected) {
        throw new FlotillaError(
          'usage',
          opts.selector ? 'with --selector give only the job TYPE' : 'give CLUSTER and TYPE (or --selector SEL and TYPE)',
          'Run e.g. `flotilla job submit prod-1 scale --param namespace=apps --param name=web --param replicas=3`.',
        );
      }
      const cluster = opts.selector ? undefined : target[0];
      const type = target[expected - 1] as string;
      const res = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).submitJob({
        ...(cluster ? { cluster } : { selector: opts.selector }),
        type,
        params: parseParams(opts.param ?? []),
        ...(opts.expires ? { expires: opts.expires } : {}),
        ...(opts.dryRun ? { dryRun: true } : {}),
        ...(opts.yes ? { yes: true } : {}),
      });
      if (opts.json) {
        io.out(renderJson(res));
      } else if ('dryRun' in res) {
        io.out(dryRunText(res));
        io.err(`dry run: ${res.dryRun.clusters.length} cluster(s) would get this job; nothing was written\n`);
      } else {
        io.out(jobTable(res.jobs));
        io.err(`${res.jobs.length} job(s) submitted${res.fleetJob ? ` as fleet job ${res.fleetJob.id}` : ''}\nnext: follow progress with \`flotilla job list${cluster ? ` --cluster ${cluster}` : ''}\`\n`);
      }
    });

  job
    .command('list')
    .alias('ls')
    .description('list jobs, newest first')
    .option('--cluster <name>', 'only this cluster')
    .option('--state <state>', 'only jobs in this state')
    .option('--fleet-job <id>', 'only the jobs of this fleet job')
    .option('--json', 'print the JobRecord array as JSON')
    .action(async (opts: { cluster?: string; state?: string; fleetJob?: string; json?: boolean }, cmd: Command) => {
      const jobs = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).listJobs({
        ...(opts.cluster ? { cluster: opts.cluster } : {}),
        ...(opts.state ? { state: opts.state } : {}),
        ...(opts.fleetJob ? { fleetJobId: opts.fleetJob } : {}),
      });
      io.out(opts.json ? renderJson(jobs) : jobTable(jobs));
    });

  job
    .command('show')
    .description('show one job with its result')
    .argument('<id>', 'job id')
    .option('--json', 'print the JobRecord as JSON')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const j = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).getJob(id);
      io.out(opts.json ? renderJson(j) : jobDetail(j));
    });

  job
    .command('cancel')
    .description('cancel a job that has not started (a signed cancel job follows it)')
    .argument('<id>', 'job id')
    .option('--json', 'print the job and its cancel job as JSON')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const res = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).cancelJob(id);
      if (opts.json) io.out(renderJson(res));
      io.err(`cancel issued for ${res.job.id} as job ${res.cancel.id} (seq ${res.cancel.seq}); the job shows "cancelled" once its agent confirms\n`);
    });
}

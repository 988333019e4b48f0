// The daemon's job pipeline: validate a submission, complete its params (generated credentials sealed
// to the cluster's key, a restore's manifest hash), give each job the cluster's next seq, sign it with
// the control-plane key and write it to the store; then take the agents' verified results back.
// Registry first (one transaction with the audit record), store second: a job whose store write
// failed stays `pending` and is written again, in seq order, until the store takes it.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Identity } from '../../core/api.js';
import { PAYLOAD_TYPES, sealEnvelope } from '../../core/dsse.js';
import { FlotillaError } from '../../core/errors.js';
import { DESTRUCTIVE, isFinal, JOB_PARAMS, type JobPayload, type JobRecord, type JobResult, type JobType } from '../../core/jobs.js';
import type { SigningKey } from '../../core/keys.js';
import type { Logger } from '../../core/log.js';
import { firstIssue } from '../../core/schema-issue.js';
import { encryptionKeyFromBase64, seal, sealContext } from '../../core/secrets.js';
import { StatusReportSchema, type StatusReport } from '../../core/status.js';
import { seqFromKey, storeKeys, type ObjectStore } from '../../core/store/types.js';
import { actorOf, agentActor, DAEMON_ACTOR, issuerOf } from '../auth/actor.js';
import { audited } from '../auth/audited.js';
import { allowedClusters, requireAllowed } from '../auth/authorize.js';
import type { AcceptedStatus, FleetService } from '../fleet/service.js';
import { toJobRecord, type JobQuery, type JobRow } from '../registry/jobs.js';
import type { Registry } from '../registry/registry.js';
import { blastRadius, type Affected } from './blast-radius.js';
import { validateSubmit, type SubmitRequest } from './request.js';
import { checkResult, type ResultVerdict } from './result-rules.js';
import { matches } from '../../core/selector.js';

export type SubmitResponse = { jobs: JobRecord[]; fleetJob?: { id: string; selector: string; clusters: string[] } } | { dryRun: { clusters: Affected[] } };

export interface CancelResponse {
  job: JobRecord;
  cancel: JobRecord;
}

export interface AcceptedResult {
  cluster: string;
  key: string;
  etag: string;
  result: JobResult;
}

export type JobsListener = (changed: JobRecord[], rev: number) => void;

export interface JobServiceOptions {
  registry: Registry;
  fleet: FleetService;
  store: ObjectStore;
  signingKey: SigningKey;
  log: Logger;
  /** Job writes to a cluster wait until its store deletes in flight are done (retention-sweep.ts). */
  storeGate?: { idle(cluster: string): Promise<void> };
}

const DAEMON_ISSUER = { tokenId: DAEMON_ACTOR.id, name: DAEMON_ACTOR.name };
const TEARDOWN_EXPIRY_MS = 7 * 24 * 60 * 60 * 1000;
const CANCEL_EXPIRY_MS = 60 * 60 * 1000;

/** A best-effort description of a raw submission for its audit record, before it is validated. */
function auditTarget(raw: unknown): string {
  const body = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (typeof body.cluster === 'string') return body.cluster.slice(0, 63);
  if (typeof body.selector === 'string') return `selector:${body.selector.slice(0, 200)}`;
  return '(none)';
}

interface Planned {
  cluster: string;
  type: JobType;
  params: Record<string, unknown>;
  issuer: { tokenId: string; name: string };
  expiresMs: number;
  fleetJobId: string | null;
  /** Set for jobs whose params depend on the job id (sealed secrets). */
  complete?: (id: string) => Record<string, unknown>;
}

export class JobService {
  private readonly listeners = new Set<JobsListener>();
  private revision = 0;
  private flushing: Promise<void> | undefined;
  private readonly cleaning = new Map<string, Promise<void>>();

  constructor(private readonly opts: JobServiceOptions) {
    opts.fleet.onReports((accepted) => this.markRunning(accepted));
  }

  get rev(): number {
    return this.revision;
  }

  subscribe(listener: JobsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(ids: string[]): void {
    if (ids.length === 0) return;
    const records = ids.map((id) => this.opts.registry.jobs.get(id)).filter((r): r is JobRow => r !== undefined).map(toJobRecord);
    this.revision += 1;
    for (const l of this.listeners) l(records, this.revision);
  }

  list(q: JobQuery): JobRecord[] {
    return this.opts.registry.jobs.list(q).map(toJobRecord);
  }

  get(id: string): JobRecord {
    const row = this.opts.registry.jobs.get(id);
    if (!row) throw new FlotillaError('not_found', `no job with id "${id.slice(0, 80)}"`, 'List jobs with `flotilla job list`.');
    return toJobRecord(row);
  }

  /** Validates, plans and records a submission (or answers a dry run), then writes its jobs to the store. */
  async submit(who: Identity, raw: unknown): Promise<SubmitResponse> {
    let fleetJob: { id: string; selector: string; clusters: string[] } | undefined;
    const response = audited<SubmitResponse>(this.opts.registry, { actor: actorOf(who), action: 'job.submit', target: auditTarget(raw) }, () => {
      const req = validateSubmit(raw);
      const clusters = this.resolveClusters(who, req);
      // Checked against every cluster the job reaches, dry run included: a dry run shows their workloads.
      requireAllowed(who, 'job.submit', { clusters }, this.labelsOf);
      const base = { type: req.type, dryRun: req.dryRun, clusters: clusters.length, ...('selector' in req.target ? { selector: req.target.selector } : {}) };
      if ('selector' in req.target && DESTRUCTIVE[req.type] && !req.dryRun && !req.yes) {
        throw new FlotillaError(
          'usage',
          `${req.type} is destructive and the selector matches ${clusters.length} cluster(s); refusing without confirmation`,
          `Look at the blast radius first with --dry-run, then re-run with --yes: \`flotilla job submit --selector '${req.target.selector}' ${req.type} … --dry-run\`.`,
          { details: { clusters } },
        );
      }
      if (req.dryRun) {
        const answer: SubmitResponse = { dryRun: { clusters: clusters.map((c) => blastRadius(c, req.type, req.params, this.latestReport(c))) } };
        return { result: answer, detail: base };
      }
      const fleetJobId = 'selector' in req.target ? randomUUID() : null;
      const plans = clusters.map((c) => this.plan(c, req, who, fleetJobId));
      const now = new Date();
      if (fleetJobId && 'selector' in req.target) {
        this.opts.registry.jobs.insertFleetJob({ id: fleetJobId, selector: req.target.selector, type: req.type, params: req.params, destructive: DESTRUCTIVE[req.type], issuer: issuerOf(who), submittedAt: now.toISOString(), clusters: clusters.length });
        fleetJob = { id: fleetJobId, selector: req.target.selector, clusters };
      }
      const ids = plans.map((p) => this.record(p, now));
      const rows = ids.map((id) => this.opts.registry.jobs.get(id) as JobRow);
      // The envelope each job is written as (Ed25519 is deterministic: the same bytes the write puts in
      // the store), so the audit proves which signed job went to which cluster.
      const jobs = rows.map((r) => ({ id: r.id, cluster: r.cluster, seq: r.seq, envelopeSha256: this.envelopeHash(r) }));
      return { result: { jobs: rows.map(toJobRecord) }, detail: { ...base, jobs, ...(fleetJobId ? { fleetJobId } : {}) } };
    });
    if ('dryRun' in response) return response;
    const ids = response.jobs.map((j) => j.id);
    this.notify(ids);
    await this.write(ids);
    return { jobs: ids.map((id) => this.get(id)), ...(fleetJob ? { fleetJob } : {}) };
  }

  /** Issues a signed `cancel` job at the next seq; the target's own result says `cancelled` if the agent honoured it. */
  async cancel(who: Identity, id: string): Promise<CancelResponse> {
    const cancelId = audited(this.opts.registry, { actor: actorOf(who), action: 'job.cancel', target: id.slice(0, 80) }, () => {
      const target = this.opts.registry.jobs.get(id);
      if (!target) throw new FlotillaError('not_found', `no job with id "${id.slice(0, 80)}"`, 'List jobs with `flotilla job list`.');
      requireAllowed(who, 'job.cancel', { clusters: [target.cluster] }, this.labelsOf);
      if (target.type === 'cancel') throw new FlotillaError('usage', `job ${id} is itself a cancellation`, 'Cancel the job it targets instead.');
      if (isFinal(target.state)) throw new FlotillaError('conflict', `job ${id} has already finished (${target.state})`, 'Nothing to cancel; see its result with `flotilla job show`.');
      const cid = this.record(
        { cluster: target.cluster, type: 'cancel', params: { targetSeq: target.seq, targetId: target.id }, issuer: issuerOf(who), expiresMs: CANCEL_EXPIRY_MS, fleetJobId: null },
        new Date(),
      );
      const row = this.opts.registry.jobs.get(cid) as JobRow;
      return { result: cid, detail: { cluster: target.cluster, targetSeq: target.seq, cancelJobId: cid, envelopeSha256: this.envelopeHash(row) } };
    });
    this.notify([cancelId]);
    await this.write([cancelId]);
    return { job: this.get(id), cancel: this.get(cancelId) };
  }

  /** Issues each expired cluster's teardown cleanup, once per cluster, and writes it to the store. */
  async teardown(names: string[]): Promise<void> {
    const ids: string[] = [];
    for (const name of names) {
      const entry = this.opts.fleet.state.get(name);
      if (!entry) continue;
      const id = this.opts.registry.tx(() => {
        if (!this.opts.registry.jobs.markTeardown(name, new Date().toISOString())) return null;
        if (!entry.record.agentKeyid) {
          this.opts.registry.audit.append({ actor: DAEMON_ACTOR, action: 'cluster.teardown', target: name, allowed: true, detail: { skipped: 'no agent ever registered; nothing to tear down' } });
          return null;
        }
        const jid = this.record({ cluster: name, type: 'cleanup', params: JOB_PARAMS.cleanup.parse({ teardown: true }), issuer: DAEMON_ISSUER, expiresMs: TEARDOWN_EXPIRY_MS, fleetJobId: null }, new Date());
        this.opts.registry.jobs.setTeardownJob(name, jid);
        this.opts.registry.audit.append({ actor: DAEMON_ACTOR, action: 'cluster.teardown', target: name, allowed: true, detail: { jobId: jid } });
        return jid;
      });
      if (id) {
        ids.push(id);
        this.opts.log.info({ cluster: name, job: id }, 'cluster TTL expired; teardown cleanup issued');
      }
    }
    this.notify(ids);
    await this.write(ids);
  }

  /** Finishes owed store cleanups of removed clusters, then re-writes jobs whose store write failed, oldest seq first; one flush at a time. */
  flushPending(): Promise<void> {
    this.flushing ??= (async () => {
      try {
        for (const { cluster } of this.opts.registry.jobs.owedCleanups()) await this.cleanStore(cluster).catch(() => undefined);
        await this.write(this.opts.registry.jobs.pending().map((r) => r.id));
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  /** Judges one result read from the store (see result-rules.ts). */
  verifyResult(cluster: string, key: string, body: Buffer): ResultVerdict {
    const entry = this.opts.fleet.state.get(cluster);
    const seq = seqFromKey(key);
    if (seq === null) return { kind: 'reject', reason: 'malformed_envelope', message: `${key} is not a result key` };
    const agentKey = this.opts.fleet.agentKey(cluster);
    const keyid = entry?.record.agentKeyid;
    const row = this.opts.registry.jobs.bySeq(cluster, seq);
    return checkResult(body, cluster, seq, {
      clusterKnown: entry !== undefined,
      agent: agentKey && keyid ? { keyid, key: agentKey } : undefined,
      job: row ? { id: row.id, state: row.state } : undefined,
    });
  }

  /**
   * Marks the job each report says its agent is executing `running`, if it is still `dispatched`.
   * Only that one transition: a final state is never undone by a report older than its result, and
   * a seq the registry does not know (or a pending one) changes nothing. Not audited — the report is
   * the agent's signed word and the result that follows is audited.
   */
  markRunning(accepted: readonly Pick<AcceptedStatus, 'cluster' | 'report'>[]): void {
    const ids = this.opts.registry.tx(() => {
      const out: string[] = [];
      for (const a of accepted) {
        const seq = a.report.runningJobSeq;
        if (seq === undefined) continue;
        const row = this.opts.registry.jobs.bySeq(a.cluster, seq);
        if (row && this.opts.registry.jobs.transition(row.id, 'dispatched', 'running')) out.push(row.id);
      }
      return out;
    });
    this.notify(ids);
  }

  /** Records verified results with one audit record each (actor agent:<cluster>), in one transaction. */
  applyResults(accepted: AcceptedResult[]): void {
    if (accepted.length === 0) return;
    const ids = this.opts.registry.tx(() => {
      const out: string[] = [];
      for (const a of accepted) {
        const row = this.opts.registry.jobs.bySeq(a.cluster, a.result.seq);
        if (!row || row.id !== a.result.id || isFinal(row.state)) continue;
        this.opts.registry.jobs.setResult(row.id, a.result, a.etag);
        this.opts.registry.audit.append({
          actor: agentActor(a.cluster),
          action: 'job.result',
          target: row.id,
          allowed: true,
          detail: { cluster: a.cluster, seq: row.seq, type: row.type, state: a.result.state, detail: a.result.detail, ...(a.result.reason ? { reason: a.result.reason } : {}), key: a.key, etag: a.etag },
        });
        out.push(row.id);
      }
      return out;
    });
    this.notify(ids);
  }

  /** A registered cluster's labels (authorize's view of the registry). */
  private readonly labelsOf = (name: string) => this.opts.fleet.state.get(name)?.record.labels;

  /**
   * The clusters a submission reaches: its one cluster, checked against the caller's grants before
   * anything else so a scoped caller cannot tell an unknown cluster from one outside its scope; or
   * the registered clusters its selector matches within the caller's scope (docs/ACCESS.md).
   */
  private resolveClusters(who: Identity, req: SubmitRequest): string[] {
    const state = this.opts.fleet.state;
    if ('cluster' in req.target) {
      const name = req.target.cluster;
      requireAllowed(who, 'job.submit', { clusters: [name] }, this.labelsOf);
      const entry = state.get(name);
      if (!entry) throw new FlotillaError('not_found', `no cluster named "${name}"`, 'List clusters with `flotilla cluster list`.');
      if (entry.record.registration === 'expired') throw new FlotillaError('conflict', `cluster "${name}" has expired`, 'Jobs go only to live clusters; add it again with `flotilla cluster add` if it is still needed.');
      if (entry.record.registration !== 'registered') throw new FlotillaError('conflict', `cluster "${name}" has no registered agent yet`, `Start its agent with the bundle from \`flotilla cluster add ${name}\`, then submit again.`);
      return [name];
    }
    // A role too low everywhere is refused as such, before the scope narrows the selector.
    requireAllowed(who, 'job.submit');
    const { requirements, selector } = req.target;
    const matching = [...state.values()].filter((e) => e.record.registration === 'registered' && matches(e.record.labels, requirements));
    const names = allowedClusters(who, 'job.submit', matching, (e) => e.record.labels).map((e) => e.record.name);
    // Said the same whether clusters outside the scope match or none do: the scope hides them.
    if (names.length === 0) throw new FlotillaError('not_found', `no registered cluster that ${who.name} may submit to matches the selector "${selector}"`, 'Check the labels with `flotilla cluster list --json`.');
    return names.sort();
  }

  private latestReport(cluster: string): StatusReport | null {
    const latest = this.opts.registry.clusters.latest(cluster);
    if (!latest) return null;
    try {
      const parsed = StatusReportSchema.safeParse(JSON.parse(latest.payload));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** Completes the user's params for one cluster; throws usage/not_found/conflict before anything is written. */
  private plan(cluster: string, req: SubmitRequest, who: Identity, fleetJobId: string | null): Planned {
    const base = { cluster, type: req.type, issuer: issuerOf(who), expiresMs: req.expiresMs, fleetJobId };
    if (req.type === 'rotate-credentials') {
      const pinned = this.opts.registry.jobs.encryptionKey(cluster);
      const keyid = this.opts.fleet.state.get(cluster)?.record.agentKeyid;
      if (!pinned || pinned.keyid !== keyid) {
        throw new FlotillaError('conflict', `cluster "${cluster}" has no pinned encryption key for its agent`, 'Upgrade and re-register the agent so it publishes an encryption key, then submit again.');
      }
      const recipient = encryptionKeyFromBase64(pinned.encryptionKey);
      const { keys, ...rest } = req.params as { keys?: string[] } & Record<string, unknown>;
      const names = keys ?? ['password'];
      return {
        ...base,
        params: rest,
        complete: (id) => {
          // The values exist only here, in memory, until sealed; nothing else ever sees them.
          const data = Object.fromEntries(names.map((k) => [k, randomBytes(32).toString('base64url')]));
          return { ...rest, sealed: seal(Buffer.from(JSON.stringify(data), 'utf8'), recipient, sealContext(cluster, id)) };
        },
      };
    }
    if (req.type === 'restore') {
      const p = req.params as { backupId: string; sourceCluster: string; manifestSha256?: string };
      const backup = this.opts.registry.jobs.succeededBackup(p.sourceCluster, p.backupId);
      const output = backup?.result_output ? (JSON.parse(backup.result_output) as Record<string, unknown>) : undefined;
      const sha = output?.manifestSha256;
      if (typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha)) {
        throw new FlotillaError('not_found', `no succeeded backup "${p.backupId}" of cluster "${p.sourceCluster}" with a manifest hash`, `Run a backup first: \`flotilla job submit ${p.sourceCluster} backup --param backupId=${p.backupId} --param namespaces=…\`.`);
      }
      if (p.manifestSha256 !== undefined && p.manifestSha256 !== sha) {
        throw new FlotillaError('usage', `manifestSha256 does not match backup "${p.backupId}" of "${p.sourceCluster}"`, 'Leave manifestSha256 out; the daemon takes it from the verified backup result.');
      }
      return { ...base, params: { ...p, manifestSha256: sha } };
    }
    return { ...base, params: req.params };
  }

  /** Inserts one job (state pending) with its signed payload; call inside a transaction. */
  /** The job's signed envelope as the store gets it: the sha256 of its bytes. */
  private envelopeHash(r: JobRow): string {
    return createHash('sha256').update(this.envelope(r)).digest('hex');
  }

  private envelope(r: JobRow): Buffer {
    return sealEnvelope(PAYLOAD_TYPES.job, JSON.parse(r.payload), this.opts.signingKey);
  }

  private record(p: Planned, now: Date): string {
    const id = randomUUID();
    const params = p.complete ? p.complete(id) : p.params;
    const checked = JOB_PARAMS[p.type].safeParse(params);
    if (!checked.success) throw new FlotillaError('usage', `params for ${p.type} are not valid: ${firstIssue(checked.error, '(params)')}`, `Fix the parameter; see docs/JOBS.md for what ${p.type} takes.`);
    const agentKeyId = this.opts.fleet.state.get(p.cluster)?.record.agentKeyid;
    if (!agentKeyId) throw new FlotillaError('conflict', `cluster "${p.cluster}" has no registered agent`, `Start its agent with the bundle from \`flotilla cluster add ${p.cluster}\`, then submit again.`);
    const { seq, generation } = this.opts.registry.jobs.nextSeq(p.cluster);
    const payload: JobPayload = {
      cluster: p.cluster,
      agentKeyId,
      seq,
      id,
      type: p.type,
      params: checked.data,
      issuedAt: now.toISOString(),
      notAfter: new Date(now.getTime() + p.expiresMs).toISOString(),
      destructive: DESTRUCTIVE[p.type],
      issuer: p.issuer,
      ...(p.fleetJobId ? { fleetJobId: p.fleetJobId } : {}),
    };
    this.opts.registry.jobs.insert({
      id,
      cluster: p.cluster,
      generation,
      seq,
      type: p.type,
      params: payload.params,
      payload: JSON.stringify(payload),
      destructive: payload.destructive,
      issuer: p.issuer,
      submittedAt: payload.issuedAt,
      notAfter: payload.notAfter,
      fleetJobId: p.fleetJobId,
    });
    return id;
  }

  /**
   * Deletes the jobs/ and results/ objects a removed registration of this cluster name left in the
   * store, if a cleanup is owed, before any job of the new registration is written: the new agent
   * starts at seq 1 and must find only its own jobs there. One cleanup per cluster at a time, so a
   * slow delete can never remove a job written after it.
   */
  private cleanStore(cluster: string): Promise<void> {
    const owed = this.opts.registry.jobs.owedCleanups().find((c) => c.cluster === cluster);
    if (!owed) return this.cleaning.get(cluster) ?? Promise.resolve();
    let running = this.cleaning.get(cluster);
    if (!running) {
      running = (async () => {
        const { store, log, registry } = this.opts;
        try {
          let removed = 0;
          for (const prefix of [storeKeys.jobsPrefix(cluster), storeKeys.resultsPrefix(cluster)]) {
            for (const e of await store.list(prefix)) {
              await store.delete(e.key);
              removed += 1;
            }
          }
          registry.jobs.cleanupDone(cluster, owed.requestedAt);
          log.info({ cluster, removed }, "removed cluster's jobs and results deleted from the store");
        } catch (e) {
          log.warn({ err: e, cluster }, "deleting a removed cluster's jobs and results from the store failed; will retry");
          throw e;
        } finally {
          this.cleaning.delete(cluster);
        }
      })();
      this.cleaning.set(cluster, running);
    }
    return running;
  }

  /** Signs and writes these jobs (in seq order per cluster); each written one becomes `dispatched`. */
  private async write(ids: string[]): Promise<void> {
    const { registry, store, log } = this.opts;
    const rows = ids.map((id) => registry.jobs.get(id)).filter((r): r is JobRow => r?.state === 'pending');
    const byCluster = new Map<string, JobRow[]>();
    for (const r of rows) byCluster.set(r.cluster, [...(byCluster.get(r.cluster) ?? []), r]);
    const dispatched: string[] = [];
    await Promise.all(
      [...byCluster.entries()].map(async ([cluster, list]) => {
        try {
          await this.cleanStore(cluster);
          await this.opts.storeGate?.idle(cluster);
        } catch {
          return;
        }
        for (const r of list.sort((a, b) => a.seq - b.seq)) {
          try {
            await store.put(storeKeys.job(r.cluster, r.seq), this.envelope(r));
          } catch (e) {
            // Later seqs of this cluster wait too: an agent runs jobs strictly in seq order anyway.
            log.warn({ err: e, cluster: r.cluster, seq: r.seq, job: r.id }, 'job store write failed; will retry');
            return;
          }
          if (registry.jobs.transition(r.id, 'pending', 'dispatched')) dispatched.push(r.id);
        }
      }),
    );
    this.notify(dispatched);
  }
}

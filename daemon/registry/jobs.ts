// Jobs, their per-cluster seq counters, fleet jobs, teardown markers and the agents' pinned X25519
// encryption keys. Params are stored as sent to the agent: sealed secrets only ever as ciphertext.
// Each add of a cluster name is a new generation (a new registration): its seqs start at 1, and the
// jobs of earlier generations stay in the table as history, final, and are never matched to results.
import type { JobRecord, JobRejectionReason, JobResult, JobState, JobType, ResultState } from '../../core/jobs.js';
import { maskSealedFields } from '../../core/sealed.js';
import type { Db } from './db.js';

export interface JobRow {
  id: string;
  cluster: string;
  /** The registration generation of the cluster name the job was issued under. */
  generation: number;
  seq: number;
  type: JobType;
  params: string;
  /** The signed JobPayload as JSON text, so a store write that failed can be retried byte for byte. */
  payload: string;
  destructive: number;
  state: JobState;
  issuer_token_id: string;
  issuer_name: string;
  submitted_at: string;
  not_after: string;
  fleet_job_id: string | null;
  result_state: ResultState | null;
  result_started_at: string | null;
  result_finished_at: string | null;
  result_detail: string | null;
  result_reason: JobRejectionReason | null;
  result_output: string | null;
  result_etag: string | null;
  /** When the daemon took the result from the store (its own clock). */
  result_collected_at: string | null;
  /** When retention deleted the job's envelope and result from the store. */
  store_removed_at: string | null;
}

/** A job of a cluster's current registration whose result the daemon is waiting for. */
export interface AwaitedJob {
  cluster: string;
  seq: number;
}

/** A finished job of a cluster's current registration whose envelope and result are still in the store. */
export interface StoredJob {
  cluster: string;
  generation: number;
  seq: number;
  collectedAt: string;
}

export interface NewJob {
  id: string;
  cluster: string;
  generation: number;
  seq: number;
  type: JobType;
  params: Record<string, unknown>;
  payload: string;
  destructive: boolean;
  issuer: { tokenId: string; name: string };
  submittedAt: string;
  notAfter: string;
  fleetJobId: string | null;
}

export interface NewFleetJob {
  id: string;
  selector: string;
  type: JobType;
  params: Record<string, unknown>;
  destructive: boolean;
  issuer: { tokenId: string; name: string };
  submittedAt: string;
  clusters: number;
}

export interface JobQuery {
  cluster?: string;
  /** Only jobs of these clusters (a scoped caller's, docs/ACCESS.md); absent: every cluster. */
  clusters?: readonly string[];
  state?: JobState;
  fleetJobId?: string;
  limit: number;
}

/** The result detail of jobs still open when their cluster is removed: they can never finish. */
export const RETIRED_DETAIL = 'the cluster was removed before this job finished';

export function toJobRecord(r: JobRow): JobRecord {
  return {
    id: r.id,
    cluster: r.cluster,
    seq: r.seq,
    type: r.type,
    params: maskSealedFields(JSON.parse(r.params) as Record<string, unknown>),
    destructive: r.destructive === 1,
    state: r.state,
    issuer: { tokenId: r.issuer_token_id, name: r.issuer_name },
    submittedAt: r.submitted_at,
    notAfter: r.not_after,
    fleetJobId: r.fleet_job_id,
    result:
      r.result_state && r.result_started_at && r.result_finished_at
        ? {
            state: r.result_state,
            startedAt: r.result_started_at,
            finishedAt: r.result_finished_at,
            detail: r.result_detail ?? '',
            reason: r.result_reason,
            output: r.result_output ? maskSealedFields(JSON.parse(r.result_output) as Record<string, unknown>) : null,
          }
        : null,
  };
}

export class JobRepo {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      bumpSeq: db.prepare<[string], { last_seq: number; generation: number }>(
        'INSERT INTO job_seqs (cluster, last_seq) VALUES (?, 1) ON CONFLICT(cluster) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq, generation',
      ),
      retireSeqs: db.prepare<[string]>(
        'INSERT INTO job_seqs (cluster, last_seq, generation) VALUES (?, 0, 1) ON CONFLICT(cluster) DO UPDATE SET last_seq = 0, generation = generation + 1',
      ),
      retireJobs: db.prepare(
        `UPDATE jobs SET state = 'cancelled', result_state = 'cancelled', result_started_at = @at, result_finished_at = @at, result_detail = @detail
         WHERE cluster = @cluster AND state IN ('pending', 'dispatched', 'running')`,
      ),
      forgetTeardown: db.prepare<[string]>('DELETE FROM teardowns WHERE cluster = ?'),
      failedSince: db.prepare<[string, string], { n: number }>("SELECT count(*) AS n FROM jobs WHERE state = 'failed' AND cluster = ? AND result_finished_at >= ?"),
      forgetKey: db.prepare<[string]>('DELETE FROM agent_encryption_keys WHERE cluster = ?'),
      requestCleanup: db.prepare<[string, string]>(
        'INSERT INTO store_cleanups (cluster, requested_at) VALUES (?, ?) ON CONFLICT(cluster) DO UPDATE SET requested_at = excluded.requested_at',
      ),
      cleanups: db.prepare<[], { cluster: string; requested_at: string }>('SELECT cluster, requested_at FROM store_cleanups ORDER BY cluster'),
      cleanupDone: db.prepare<[string, string]>('DELETE FROM store_cleanups WHERE cluster = ? AND requested_at = ?'),
      insert: db.prepare(
        `INSERT INTO jobs (id, cluster, generation, seq, type, params, payload, destructive, state, issuer_token_id, issuer_name, submitted_at, not_after, fleet_job_id)
         VALUES (@id, @cluster, @generation, @seq, @type, @params, @payload, @destructive, 'pending', @issuerTokenId, @issuerName, @submittedAt, @notAfter, @fleetJobId)`,
      ),
      insertFleet: db.prepare(
        `INSERT INTO fleet_jobs (id, selector, type, params, destructive, issuer_token_id, issuer_name, submitted_at, clusters)
         VALUES (@id, @selector, @type, @params, @destructive, @issuerTokenId, @issuerName, @submittedAt, @clusters)`,
      ),
      get: db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE id = ?'),
      bySeq: db.prepare<{ cluster: string; seq: number }, JobRow>(
        'SELECT * FROM jobs WHERE cluster = @cluster AND seq = @seq AND generation = COALESCE((SELECT generation FROM job_seqs WHERE cluster = @cluster), 0)',
      ),
      pending: db.prepare<[], JobRow>("SELECT * FROM jobs WHERE state = 'pending' ORDER BY cluster, seq"),
      setState: db.prepare<[JobState, string, JobState]>('UPDATE jobs SET state = ? WHERE id = ? AND state = ?'),
      setResult: db.prepare(
        `UPDATE jobs SET state = @state, result_state = @state, result_started_at = @startedAt, result_finished_at = @finishedAt,
         result_detail = @detail, result_reason = @reason, result_output = @output, result_etag = @etag, result_collected_at = @collectedAt WHERE id = @id`,
      ),
      awaited: db.prepare<[], AwaitedJob>(
        `SELECT j.cluster, j.seq FROM jobs j JOIN job_seqs s ON s.cluster = j.cluster AND s.generation = j.generation
         WHERE j.state IN ('dispatched', 'running') ORDER BY j.cluster, j.seq`,
      ),
      stored: db.prepare<[string], { cluster: string; generation: number; seq: number; collected_at: string }>(
        `SELECT j.cluster, j.generation, j.seq, j.result_collected_at AS collected_at FROM jobs j JOIN job_seqs s ON s.cluster = j.cluster AND s.generation = j.generation
         WHERE j.cluster = ? AND j.result_collected_at IS NOT NULL AND j.store_removed_at IS NULL ORDER BY j.seq`,
      ),
      overCount: db.prepare<[number], { cluster: string }>(
        `SELECT j.cluster FROM jobs j JOIN job_seqs s ON s.cluster = j.cluster AND s.generation = j.generation
         WHERE j.result_collected_at IS NOT NULL AND j.store_removed_at IS NULL GROUP BY j.cluster HAVING COUNT(*) > ? ORDER BY j.cluster`,
      ),
      markRemoved: db.prepare<{ cluster: string; generation: number; seq: number; at: string }>(
        'UPDATE jobs SET store_removed_at = @at WHERE cluster = @cluster AND generation = @generation AND seq = @seq AND store_removed_at IS NULL',
      ),
      generation: db.prepare<[string], { generation: number }>('SELECT generation FROM job_seqs WHERE cluster = ?'),
      backup: db.prepare<[string, string], JobRow>(
        "SELECT * FROM jobs WHERE cluster = ? AND type = 'backup' AND state = 'succeeded' AND json_extract(params, '$.backupId') = ? ORDER BY generation DESC, seq DESC LIMIT 1",
      ),
      pinKey: db.prepare(
        `INSERT INTO agent_encryption_keys (cluster, keyid, encryption_key, pinned_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(cluster) DO UPDATE SET keyid = excluded.keyid, encryption_key = excluded.encryption_key, pinned_at = excluded.pinned_at`,
      ),
      key: db.prepare<[string], { keyid: string; encryption_key: string }>('SELECT keyid, encryption_key FROM agent_encryption_keys WHERE cluster = ?'),
      markTeardown: db.prepare('INSERT OR IGNORE INTO teardowns (cluster, at) VALUES (?, ?)'),
      setTeardownJob: db.prepare('UPDATE teardowns SET job_id = ? WHERE cluster = ?'),
      teardown: db.prepare<[string], { at: string; job_id: string | null }>('SELECT at, job_id FROM teardowns WHERE cluster = ?'),
    };
  }

  /** The next seq of this cluster's current generation (1 after each removal); never the same seq twice within a generation. */
  nextSeq(cluster: string): { seq: number; generation: number } {
    const row = this.stmts.bumpSeq.get(cluster);
    if (!row) throw new Error(`seq counter for ${cluster} did not advance`);
    return { seq: row.last_seq, generation: row.generation };
  }

  /**
   * Ends the registration a cluster name had (call in the transaction that removes the cluster): the
   * next generation's seqs start at 1, open jobs become `cancelled` (no agent will ever finish them),
   * the teardown marker and pinned encryption key go, and a store cleanup of the cluster's jobs/ and
   * results/ is owed. Returns how many open jobs were cancelled.
   */
  retire(cluster: string, at: string): number {
    const cancelled = this.stmts.retireJobs.run({ cluster, at, detail: RETIRED_DETAIL }).changes;
    this.stmts.retireSeqs.run(cluster);
    this.stmts.forgetTeardown.run(cluster);
    this.stmts.forgetKey.run(cluster);
    this.stmts.requestCleanup.run(cluster, at);
    return cancelled;
  }

  /** Store cleanups owed for removed clusters; each is done once its objects are deleted. */
  owedCleanups(): { cluster: string; requestedAt: string }[] {
    return this.stmts.cleanups.all().map((r) => ({ cluster: r.cluster, requestedAt: r.requested_at }));
  }

  /** Clears a cleanup, unless the cluster was removed again since it was requested. */
  cleanupDone(cluster: string, requestedAt: string): void {
    this.stmts.cleanupDone.run(cluster, requestedAt);
  }

  insert(j: NewJob): void {
    this.stmts.insert.run({
      id: j.id,
      cluster: j.cluster,
      generation: j.generation,
      seq: j.seq,
      type: j.type,
      params: JSON.stringify(j.params),
      payload: j.payload,
      destructive: j.destructive ? 1 : 0,
      issuerTokenId: j.issuer.tokenId,
      issuerName: j.issuer.name,
      submittedAt: j.submittedAt,
      notAfter: j.notAfter,
      fleetJobId: j.fleetJobId,
    });
  }

  insertFleetJob(f: NewFleetJob): void {
    this.stmts.insertFleet.run({
      id: f.id,
      selector: f.selector,
      type: f.type,
      params: JSON.stringify(maskSealedFields(f.params)),
      destructive: f.destructive ? 1 : 0,
      issuerTokenId: f.issuer.tokenId,
      issuerName: f.issuer.name,
      submittedAt: f.submittedAt,
      clusters: f.clusters,
    });
  }

  get(id: string): JobRow | undefined {
    return this.stmts.get.get(id);
  }

  /** The job at this seq of the cluster's current registration. */
  bySeq(cluster: string, seq: number): JobRow | undefined {
    return this.stmts.bySeq.get({ cluster, seq });
  }

  /** Jobs written to the registry but not yet to the store, oldest seq first per cluster. */
  pending(): JobRow[] {
    return this.stmts.pending.all();
  }

  /** Moves a job from one state to another; false if it was no longer in `from`. */
  transition(id: string, from: JobState, to: JobState): boolean {
    return this.stmts.setState.run(to, id, from).changes === 1;
  }

  setResult(id: string, result: JobResult, etag: string, collectedAt = new Date().toISOString()): void {
    this.stmts.setResult.run({
      collectedAt,
      id,
      state: result.state,
      startedAt: result.startedAt,
      finishedAt: result.finishedAt,
      detail: result.detail,
      reason: result.reason ?? null,
      output: result.output ? JSON.stringify(result.output) : null,
      etag,
    });
  }

  /** Jobs the agents have yet to answer (dispatched or running), current registrations only, by cluster and seq. */
  awaitingResults(): AwaitedJob[] {
    return this.stmts.awaited.all();
  }

  /** Finished jobs of the cluster's current registration whose envelope and result are still in the store, by seq. */
  storedFinished(cluster: string): StoredJob[] {
    return this.stmts.stored.all(cluster).map((r) => ({ cluster: r.cluster, generation: r.generation, seq: r.seq, collectedAt: r.collected_at }));
  }

  /** Clusters with more than `keep` finished jobs still in the store: the only ones retention can delete from. */
  clustersStoringMoreThan(keep: number): string[] {
    return this.stmts.overCount.all(keep).map((r) => r.cluster);
  }

  /** Records that retention deleted these jobs' envelopes and results. */
  markRemovedFromStore(cluster: string, generation: number, seqs: readonly number[], at: string): void {
    for (const seq of seqs) this.stmts.markRemoved.run({ cluster, generation, seq, at });
  }

  /** The cluster name's current registration generation (0 before its first removal). */
  /** Jobs of the cluster that failed at or after `since` (ISO), for its failed_jobs series. */
  failedSince(cluster: string, since: string): number {
    return this.stmts.failedSince.get(cluster, since)?.n ?? 0;
  }

  generation(cluster: string): number {
    return this.stmts.generation.get(cluster)?.generation ?? 0;
  }

  /** Newest first. */
  list(q: JobQuery): JobRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.cluster) {
      where.push('cluster = ?');
      args.push(q.cluster);
    }
    if (q.clusters) {
      // json_each: one bound parameter however many clusters the scope holds.
      where.push('cluster IN (SELECT value FROM json_each(?))');
      args.push(JSON.stringify(q.clusters));
    }
    if (q.state) {
      where.push('state = ?');
      args.push(q.state);
    }
    if (q.fleetJobId) {
      where.push('fleet_job_id = ?');
      args.push(q.fleetJobId);
    }
    args.push(q.limit);
    const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY submitted_at DESC, seq DESC LIMIT ?`;
    return this.db.prepare<(string | number)[], JobRow>(sql).all(...args);
  }

  /** The newest job of a type for a cluster (its configure-monitoring, say), whatever its state. */
  newestOfType(cluster: string, type: string): JobRow | undefined {
    return this.db.prepare<[string, string], JobRow>('SELECT * FROM jobs WHERE cluster = ? AND type = ? ORDER BY submitted_at DESC, seq DESC LIMIT 1').get(cluster, type);
  }

  /** The newest succeeded backup job of a cluster with this backup id. */
  succeededBackup(cluster: string, backupId: string): JobRow | undefined {
    return this.stmts.backup.get(cluster, backupId);
  }

  pinEncryptionKey(cluster: string, keyid: string, encryptionKey: string, at: string): void {
    this.stmts.pinKey.run(cluster, keyid, encryptionKey, at);
  }

  /** The X25519 key the agent registered with, and the signing key id it was registered under. */
  encryptionKey(cluster: string): { keyid: string; encryptionKey: string } | undefined {
    const r = this.stmts.key.get(cluster);
    return r ? { keyid: r.keyid, encryptionKey: r.encryption_key } : undefined;
  }

  /** Marks the cluster's teardown as issued; false if it already was (so it happens once). */
  markTeardown(cluster: string, at: string): boolean {
    return this.stmts.markTeardown.run(cluster, at).changes === 1;
  }

  setTeardownJob(cluster: string, jobId: string): void {
    this.stmts.setTeardownJob.run(jobId, cluster);
  }

  teardown(cluster: string): { at: string; jobId: string | null } | undefined {
    const r = this.stmts.teardown.get(cluster);
    return r ? { at: r.at, jobId: r.job_id } : undefined;
  }
}

// The registry queries of control-plane backup and restore: the figures a backup manifest records,
// the seq counters a restore raises, and the jobs it adopts from the store (daemon/backup/seq-floor.ts).
import { maskSealedFields } from '../../core/sealed.js';
import type { JobState } from '../../core/jobs.js';
import type { JobPayload } from '../../core/jobs.js';
import type { Db } from './db.js';

export interface RegistrySummary {
  clusters: number;
  jobs: number;
  tokens: number;
  auditHead: { seq: number; hash: string } | null;
}

export interface SeqCounter {
  cluster: string;
  lastSeq: number;
  generation: number;
}

/** A fan-out's selector is not in its jobs' payloads, so a fleet job adopted from the store says so. */
export const ADOPTED_SELECTOR = '(not recorded: issued after the restored backup was taken)';

export class BackupRepo {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      clusters: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM clusters'),
      jobs: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM jobs'),
      tokens: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM tokens'),
      auditHead: db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1'),
      counter: db.prepare<[string], { last_seq: number; generation: number }>('SELECT last_seq, generation FROM job_seqs WHERE cluster = ?'),
      jobsOf: db.prepare<[string, number], { id: string; seq: number; state: JobState }>('SELECT id, seq, state FROM jobs WHERE cluster = ? AND generation = ? ORDER BY seq'),
      raise: db.prepare<[string, number]>(
        'INSERT INTO job_seqs (cluster, last_seq) VALUES (?, ?) ON CONFLICT(cluster) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq)',
      ),
      fleet: db.prepare(
        `INSERT OR IGNORE INTO fleet_jobs (id, selector, type, params, destructive, issuer_token_id, issuer_name, submitted_at, clusters)
         VALUES (@id, @selector, @type, @params, @destructive, @issuerTokenId, @issuerName, @submittedAt, 0)`,
      ),
      fleetCount: db.prepare<[string, string]>('UPDATE fleet_jobs SET clusters = (SELECT COUNT(*) FROM jobs WHERE fleet_job_id = ?) WHERE id = ?'),
      adopt: db.prepare(
        `INSERT INTO jobs (id, cluster, generation, seq, type, params, payload, destructive, state, issuer_token_id, issuer_name, submitted_at, not_after, fleet_job_id)
         VALUES (@id, @cluster, @generation, @seq, @type, @params, @payload, @destructive, 'dispatched', @issuerTokenId, @issuerName, @submittedAt, @notAfter, @fleetJobId)`,
      ),
    };
  }

  summary(): RegistrySummary {
    return {
      clusters: this.stmts.clusters.get()?.n ?? 0,
      jobs: this.stmts.jobs.get()?.n ?? 0,
      tokens: this.stmts.tokens.get()?.n ?? 0,
      auditHead: this.stmts.auditHead.get() ?? null,
    };
  }

  /** The cluster's seq counter (0 in generation 0 if it never had a job). */
  counter(cluster: string): SeqCounter {
    const r = this.stmts.counter.get(cluster);
    return { cluster, lastSeq: r?.last_seq ?? 0, generation: r?.generation ?? 0 };
  }

  jobsOf(cluster: string, generation: number): { id: string; seq: number; state: JobState }[] {
    return this.stmts.jobsOf.all(cluster, generation);
  }

  /** Raises the counter of the cluster's current generation to at least lastSeq; never lowers it. */
  raiseSeq(cluster: string, lastSeq: number): void {
    this.stmts.raise.run(cluster, lastSeq);
  }

  /** Records a job found signed in the store as dispatched, under the cluster's current generation. */
  adopt(p: JobPayload, generation: number): void {
    if (p.fleetJobId) {
      this.stmts.fleet.run({
        id: p.fleetJobId,
        selector: ADOPTED_SELECTOR,
        type: p.type,
        params: JSON.stringify(maskSealedFields(p.params)),
        destructive: p.destructive ? 1 : 0,
        issuerTokenId: p.issuer.tokenId,
        issuerName: p.issuer.name,
        submittedAt: p.issuedAt,
      });
    }
    this.stmts.adopt.run({
      id: p.id,
      cluster: p.cluster,
      generation,
      seq: p.seq,
      type: p.type,
      params: JSON.stringify(p.params),
      payload: JSON.stringify(p),
      destructive: p.destructive ? 1 : 0,
      issuerTokenId: p.issuer.tokenId,
      issuerName: p.issuer.name,
      submittedAt: p.issuedAt,
      notAfter: p.notAfter,
      fleetJobId: p.fleetJobId ?? null,
    });
    if (p.fleetJobId) this.stmts.fleetCount.run(p.fleetJobId, p.fleetJobId);
  }
}

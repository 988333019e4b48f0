// Clusters, their latest accepted status report and their health transitions.
import type { Health, HealthTransition, RegistrationState } from '../../core/fleet.js';
import type { ClusterRecord } from './cluster-record.js';
import type { Db } from './db.js';

export interface LatestStatus {
  cluster: string;
  seq: number;
  reportedAt: string;
  receivedAt: string;
  etag: string;
  /** The verified StatusReport as JSON text. */
  payload: string;
}

interface ClusterRow {
  name: string;
  labels: string;
  created_at: string;
  expires_at: string | null;
  interval_seconds: number;
  registration: RegistrationState;
  token_hash: string;
  token_burned: number;
  agent_keyid: string | null;
  agent_public_key: string | null;
  registered_at: string | null;
  health: Health;
}

function fromRow(r: ClusterRow): ClusterRecord {
  return {
    name: r.name,
    labels: JSON.parse(r.labels) as Record<string, string>,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    intervalSeconds: r.interval_seconds,
    registration: r.registration,
    tokenHash: r.token_hash,
    tokenBurned: r.token_burned === 1,
    agentKeyid: r.agent_keyid,
    agentPublicKey: r.agent_public_key,
    registeredAt: r.registered_at,
    health: r.health,
  };
}

export class ClusterRepo {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO clusters (name, labels, created_at, expires_at, interval_seconds, registration, token_hash)
         VALUES (@name, @labels, @createdAt, @expiresAt, @intervalSeconds, 'pending', @tokenHash)`,
      ),
      remove: db.prepare('DELETE FROM clusters WHERE name = ?'),
      setLabels: db.prepare('UPDATE clusters SET labels = ? WHERE name = ?'),
      get: db.prepare<[string], ClusterRow>('SELECT * FROM clusters WHERE name = ?'),
      all: db.prepare<[], ClusterRow>('SELECT * FROM clusters ORDER BY name'),
      register: db.prepare(
        `UPDATE clusters SET registration = 'registered', token_burned = 1, agent_keyid = ?, agent_public_key = ?, registered_at = ?
         WHERE name = ? AND registration = 'pending' AND token_burned = 0`,
      ),
      setRegistration: db.prepare('UPDATE clusters SET registration = ? WHERE name = ?'),
      setHealth: db.prepare('UPDATE clusters SET health = ? WHERE name = ?'),
      latest: db.prepare<[string], LatestStatus>('SELECT cluster, seq, reported_at AS reportedAt, received_at AS receivedAt, etag, payload FROM status_latest WHERE cluster = ?'),
      allLatest: db.prepare<[], LatestStatus>('SELECT cluster, seq, reported_at AS reportedAt, received_at AS receivedAt, etag, payload FROM status_latest'),
      upsertStatus: db.prepare(
        `INSERT INTO status_latest (cluster, seq, reported_at, received_at, etag, payload) VALUES (@cluster, @seq, @reportedAt, @receivedAt, @etag, @payload)
         ON CONFLICT(cluster) DO UPDATE SET seq = excluded.seq, reported_at = excluded.reported_at, received_at = excluded.received_at, etag = excluded.etag, payload = excluded.payload`,
      ),
      addTransition: db.prepare('INSERT INTO health_transitions (cluster, at, from_health, to_health, reasons) VALUES (?, ?, ?, ?, ?)'),
      transitions: db.prepare<[string, number], { at: string; from_health: Health; to_health: Health; reasons: string }>(
        'SELECT at, from_health, to_health, reasons FROM health_transitions WHERE cluster = ? ORDER BY id DESC LIMIT ?',
      ),
      count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM clusters'),
    };
  }

  insert(c: { name: string; labels: Record<string, string>; createdAt: string; expiresAt: string | null; intervalSeconds: number; tokenHash: string }): void {
    this.stmts.insert.run({ ...c, labels: JSON.stringify(c.labels) });
  }

  remove(name: string): boolean {
    return this.stmts.remove.run(name).changes === 1;
  }

  /** Returns false when there is no such cluster. */
  setLabels(name: string, labels: Record<string, string>): boolean {
    return this.stmts.setLabels.run(JSON.stringify(labels), name).changes === 1;
  }

  get(name: string): ClusterRecord | undefined {
    const r = this.stmts.get.get(name);
    return r ? fromRow(r) : undefined;
  }

  all(): ClusterRecord[] {
    return this.stmts.all.all().map(fromRow);
  }

  count(): number {
    return this.stmts.count.get()?.n ?? 0;
  }

  /** Pins the agent key and burns the token; false if the cluster is no longer pending with a live token. */
  register(name: string, keyid: string, publicKey: string, at: string): boolean {
    return this.stmts.register.run(keyid, publicKey, at, name).changes === 1;
  }

  setRegistration(name: string, state: RegistrationState): void {
    this.stmts.setRegistration.run(state, name);
  }

  setHealth(name: string, health: Health): void {
    this.stmts.setHealth.run(health, name);
  }

  latest(name: string): LatestStatus | undefined {
    return this.stmts.latest.get(name);
  }

  allLatest(): LatestStatus[] {
    return this.stmts.allLatest.all();
  }

  upsertStatus(s: LatestStatus): void {
    this.stmts.upsertStatus.run(s);
  }

  addTransition(cluster: string, t: HealthTransition): void {
    this.stmts.addTransition.run(cluster, t.at, t.from, t.to, JSON.stringify(t.reasons));
  }

  /** Newest first. */
  transitions(cluster: string, limit: number): HealthTransition[] {
    return this.stmts.transitions.all(cluster, limit).map((r) => ({ at: r.at, from: r.from_health, to: r.to_health, reasons: JSON.parse(r.reasons) as string[] }));
  }
}

// Keeps the registry and the in-memory fleet in step. Every write goes to SQLite first (one
// transaction per batch, audit record included) and only then to memory and to subscribers.
import type { KeyObject } from 'node:crypto';
import type { ClusterDetail, Health, HealthTransition } from '../../core/fleet.js';
import { FlotillaError } from '../../core/errors.js';
import { publicKeyFromBase64 } from '../../core/keys.js';
import type { Logger } from '../../core/log.js';
import type { Registration } from '../../core/registration.js';
import { StatusReportSchema, type StatusReport } from '../../core/status.js';
import { agentActor, DAEMON_ACTOR, STORE_ACTOR, type Actor } from '../auth/actor.js';
import { audited } from '../auth/audited.js';
import type { DaemonMetrics } from '../metrics.js';
import type { RejectionInput } from '../registry/rejections.js';
import type { Registry } from '../registry/registry.js';
import { healthOf, summarize, toRow, type FleetEntry } from './row.js';
import type { FleetState } from './state.js';

export interface NewCluster {
  name: string;
  labels: Record<string, string>;
  expiresAt: string | null;
  intervalSeconds: number;
  tokenHash: string;
}

export interface AcceptedStatus {
  cluster: string;
  report: StatusReport;
  etag: string;
}

const DETAIL_HISTORY = 50;

export class FleetService {
  private readonly keys = new Map<string, KeyObject>();
  /** Pinned agent key id → its cluster, for what is authenticated by its signature alone (log batches). */
  private readonly clusterOfKeyid = new Map<string, string>();
  private readonly expiredListeners: ((names: string[]) => void)[] = [];
  private readonly reportListeners: ((accepted: AcceptedStatus[]) => void)[] = [];
  private readonly removedListeners: ((name: string) => void)[] = [];
  private readonly addedListeners: ((name: string) => void)[] = [];

  constructor(
    private readonly registry: Registry,
    readonly state: FleetState,
    private readonly metrics: DaemonMetrics,
    private readonly log: Logger,
  ) {}

  /** Fills memory from the registry at start-up. */
  load(): void {
    const latest = new Map(this.registry.clusters.allLatest().map((s) => [s.cluster, s]));
    for (const record of this.registry.clusters.all()) {
      let summary: FleetEntry['latest'] = null;
      const s = latest.get(record.name);
      if (s) {
        const parsed = StatusReportSchema.safeParse(safeJson(s.payload));
        if (parsed.success) summary = summarize(parsed.data, Date.parse(s.receivedAt), s.etag, { logsLagSeconds: this.state.logsLagSeconds });
        else this.log.warn({ cluster: record.name }, 'stored status report no longer parses; waiting for the next one');
      }
      this.state.put({ record, latest: summary, health: record.health });
      if (record.agentKeyid) this.clusterOfKeyid.set(record.agentKeyid, record.name);
    }
  }

  /** The registered cluster whose pinned agent key has this id, with the key; undefined for any other key or an expired cluster. */
  pinnedKey(keyid: string): { cluster: string; key: KeyObject } | undefined {
    const name = this.clusterOfKeyid.get(keyid);
    const entry = name === undefined ? undefined : this.state.get(name);
    if (!entry || entry.record.agentKeyid !== keyid || entry.record.registration !== 'registered') return undefined;
    const key = this.agentKey(entry.record.name);
    return key ? { cluster: entry.record.name, key } : undefined;
  }

  agentKey(name: string): KeyObject | undefined {
    const entry = this.state.get(name);
    const pub = entry?.record.agentPublicKey;
    if (!entry || !pub || !entry.record.agentKeyid) return undefined;
    const cached = this.keys.get(entry.record.agentKeyid);
    if (cached) return cached;
    const key = publicKeyFromBase64(pub);
    this.keys.set(entry.record.agentKeyid, key);
    return key;
  }

  /** `authorize` runs inside the audited step, so its refusal is the one audit record (the new labels decide a scoped caller's access). */
  addCluster(actor: Actor, c: NewCluster, authorize?: () => void): void {
    const createdAt = new Date().toISOString();
    audited(this.registry, { actor, action: 'cluster.add', target: c.name, detail: { labels: c.labels, expiresAt: c.expiresAt } }, () => {
      authorize?.();
      if (this.registry.clusters.get(c.name)) {
        throw new FlotillaError('conflict', `cluster "${c.name}" already exists`, `Pick another name, or remove it first with \`flotilla cluster rm ${c.name}\`.`);
      }
      this.registry.clusters.insert({ ...c, createdAt });
      return { result: undefined };
    });
    const record = this.registry.clusters.get(c.name);
    if (!record) throw new FlotillaError('internal', `cluster "${c.name}" vanished after insert`, 'Check the daemon log; this is a bug.');
    this.state.put({ record, latest: null, health: record.health });
    this.state.changed([c.name]);
    for (const l of this.addedListeners) l(c.name);
  }

  /**
   * Sets and removes labels of a cluster. `authorize` gets the labels it would have and runs inside
   * the audited step (a scoped operator may neither move a cluster out of its scope nor into it).
   * Subscribers hear it as a change of the row, so scoped views gain or lose the cluster.
   */
  relabel(actor: Actor, name: string, change: { set: Record<string, string>; remove: string[] }, authorize?: (next: Record<string, string>) => void): Record<string, string> {
    const labels = audited(this.registry, { actor, action: 'cluster.label', target: name, detail: { set: change.set, remove: change.remove } }, () => {
      const record = this.registry.clusters.get(name);
      if (!record) throw new FlotillaError('not_found', `no cluster named "${name}"`, 'List clusters with `flotilla cluster list`.');
      const next = { ...record.labels, ...change.set };
      for (const k of change.remove) delete next[k];
      authorize?.(next);
      this.registry.clusters.setLabels(name, next);
      return { result: next, detail: { labels: next } };
    });
    const entry = this.state.get(name);
    if (entry) this.state.put({ ...entry, record: { ...entry.record, labels } });
    this.state.changed([name]);
    return labels;
  }

  /** Called with the name of each cluster added to the registry (the central file_sd lists it). */
  onAdded(listener: (name: string) => void): void {
    this.addedListeners.push(listener);
  }

  removeCluster(actor: Actor, name: string): void {
    audited(this.registry, { actor, action: 'cluster.remove', target: name }, () => {
      if (!this.registry.clusters.remove(name)) {
        throw new FlotillaError('not_found', `no cluster named "${name}"`, 'List clusters with `flotilla cluster list`.');
      }
      // The registration ends with the cluster: the next add starts at seq 1 and the store is cleaned (daemon/registry/jobs.ts).
      return { result: undefined, detail: { jobsCancelled: this.registry.jobs.retire(name, new Date().toISOString()) } };
    });
    const keyid = this.state.get(name)?.record.agentKeyid;
    if (keyid) {
      this.keys.delete(keyid);
      this.clusterOfKeyid.delete(keyid);
    }
    this.state.delete(name);
    this.state.changed([], [name]);
    for (const l of this.removedListeners) l(name);
  }

  /** Called with the name of each cluster removed from the registry (its series go with it). */
  onRemoved(listener: (name: string) => void): void {
    this.removedListeners.push(listener);
  }

  applyRegistration(name: string, reg: Registration, key: string, etag: string): void {
    const at = new Date().toISOString();
    const ok = this.registry.tx(() => {
      if (!this.registry.clusters.register(name, reg.keyid, reg.publicKey, at)) return false;
      this.registry.jobs.pinEncryptionKey(name, reg.keyid, reg.encryptionKey, at);
      this.registry.audit.append({ actor: STORE_ACTOR, action: 'cluster.register', target: name, allowed: true, detail: { keyid: reg.keyid, agentVersion: reg.agentVersion, key, etag } });
      return true;
    });
    if (!ok) return;
    const record = this.registry.clusters.get(name);
    const entry = this.state.get(name);
    if (!record || !entry) return;
    this.state.put({ ...entry, record });
    this.clusterOfKeyid.set(reg.keyid, name);
    this.log.info({ cluster: name, keyid: reg.keyid }, 'agent registered; key pinned, bootstrap token burned');
    this.recordHealth([name], Date.now());
  }

  /** Stores a poll's accepted reports and its rejections in one transaction. */
  applyBatch(accepted: AcceptedStatus[], rejections: RejectionInput[]): void {
    if (accepted.length === 0 && rejections.length === 0) return;
    const nowMs = Date.now();
    const receivedAt = new Date(nowMs).toISOString();
    const entries: FleetEntry[] = [];
    const transitions: { name: string; t: HealthTransition }[] = [];
    for (const a of accepted) {
      const entry = this.state.get(a.cluster);
      if (!entry) continue;
      const next: FleetEntry = { ...entry, latest: summarize(a.report, nowMs, a.etag, { logsLagSeconds: this.state.logsLagSeconds, previous: entry.latest }) };
      const h = healthOf(next, nowMs, this.state.unreachableAfterIntervals);
      if (h.health !== entry.health) transitions.push({ name: a.cluster, t: { at: receivedAt, from: entry.health, to: h.health, reasons: h.reasons } });
      next.health = h.health;
      entries.push(next);
    }
    const recorded = this.registry.tx(() => {
      for (const a of accepted) {
        if (!this.state.get(a.cluster)) continue;
        this.registry.clusters.upsertStatus({ cluster: a.cluster, seq: a.report.seq, reportedAt: a.report.reportedAt, receivedAt, etag: a.etag, payload: JSON.stringify(a.report) });
      }
      for (const { name, t } of transitions) {
        this.registry.clusters.setHealth(name, t.to);
        this.registry.clusters.addTransition(name, t);
      }
      const agentReported = accepted.flatMap((a) => agentRejections(a));
      return [...this.recordRejections(rejections), ...this.recordRejections(agentReported, true)];
    });
    for (const e of entries) this.state.put(e);
    this.metrics.statusReports.inc(entries.length);
    this.noteRejections(recorded);
    this.state.changed(entries.map((e) => e.record.name));
    const stored = accepted.filter((a) => this.state.get(a.cluster) !== undefined);
    if (stored.length > 0) for (const l of this.reportListeners) l(stored);
  }

  /** Called with each batch of reports once they are stored (the job pipeline reads which job is running). */
  onReports(listener: (accepted: AcceptedStatus[]) => void): void {
    this.reportListeners.push(listener);
  }

  /** byAgent: refusals an agent reported in its signed status, audited as that agent's. */
  private recordRejections(rejections: RejectionInput[], byAgent = false): RejectionInput[] {
    const recorded: RejectionInput[] = [];
    for (const r of rejections) {
      if (!this.registry.rejections.record(r)) continue;
      const actor = byAgent ? agentActor(r.cluster ?? '') : STORE_ACTOR;
      this.registry.audit.append({ actor, action: byAgent ? 'agent.reject' : 'store.reject', target: r.key, allowed: false, detail: { cluster: r.cluster, reason: r.reason, message: r.message, etag: r.etag } });
      recorded.push(r);
    }
    return recorded;
  }

  private noteRejections(recorded: RejectionInput[]): void {
    for (const r of recorded) {
      this.metrics.rejections.inc({ reason: r.reason });
      this.log.warn({ key: r.key, cluster: r.cluster, reason: r.reason, etag: r.etag }, `store object rejected: ${r.message}`);
    }
  }

  /** Called with the clusters whose TTL just ran out, after they are marked expired (the job pipeline tears them down). */
  onExpired(listener: (names: string[]) => void): void {
    this.expiredListeners.push(listener);
  }

  /** Re-derives health from the clock alone (silence, TTL expiry); notifies only real changes. */
  reevaluate(nowMs: number): void {
    const expired: string[] = [];
    const changed: string[] = [];
    for (const e of this.state.values()) {
      if (e.record.registration !== 'expired' && e.record.expiresAt && Date.parse(e.record.expiresAt) <= nowMs) expired.push(e.record.name);
      else if (healthOf(e, nowMs, this.state.unreachableAfterIntervals).health !== e.health) changed.push(e.record.name);
    }
    if (expired.length > 0) {
      this.registry.tx(() => {
        for (const name of expired) {
          this.registry.clusters.setRegistration(name, 'expired');
          this.registry.audit.append({ actor: DAEMON_ACTOR, action: 'cluster.expire', target: name, allowed: true, detail: {} });
        }
      });
      for (const name of expired) {
        const e = this.state.get(name);
        if (e) this.state.put({ ...e, record: { ...e.record, registration: 'expired' } });
        this.log.info({ cluster: name }, 'cluster TTL expired');
      }
      for (const l of this.expiredListeners) l(expired);
    }
    this.recordHealth([...expired, ...changed], nowMs);
  }

  /** Records health transitions for these clusters and notifies subscribers that they changed. */
  private recordHealth(names: string[], nowMs: number): void {
    if (names.length === 0) return;
    const at = new Date(nowMs).toISOString();
    const updates: { entry: FleetEntry; to: Health; reasons: string[] }[] = [];
    for (const name of names) {
      const entry = this.state.get(name);
      if (!entry) continue;
      const h = healthOf(entry, nowMs, this.state.unreachableAfterIntervals);
      if (h.health !== entry.health) updates.push({ entry, to: h.health, reasons: h.reasons });
    }
    this.registry.tx(() => {
      for (const u of updates) {
        this.registry.clusters.setHealth(u.entry.record.name, u.to);
        this.registry.clusters.addTransition(u.entry.record.name, { at, from: u.entry.health, to: u.to, reasons: u.reasons });
      }
    });
    for (const u of updates) this.state.put({ ...u.entry, health: u.to });
    this.state.changed(names);
  }

  detail(name: string, nowMs: number): ClusterDetail | null {
    const entry = this.state.get(name);
    if (!entry) return null;
    const latest = this.registry.clusters.latest(name);
    const parsed = latest ? StatusReportSchema.safeParse(safeJson(latest.payload)) : undefined;
    const report = parsed?.success ? parsed.data : null;
    return {
      row: toRow(entry, nowMs, this.state.unreachableAfterIntervals),
      nodes: report?.nodes ?? [],
      workloads: report?.workloads ?? [],
      podProblems: report?.podProblems ?? [],
      events: report?.events ?? [],
      pipeline: report?.pipeline ?? null,
      metrics: report?.metrics ?? null,
      transitions: this.registry.clusters.transitions(name, DETAIL_HISTORY),
      rejections: this.registry.rejections.list({ cluster: name, limit: DETAIL_HISTORY }).map(({ at, cluster, key, reason }) => ({ at, cluster, key, reason })),
      logDrops: { ...this.registry.logDrops.totalsOf(name), recent: this.registry.logDrops.recent(name, DETAIL_HISTORY) },
    };
  }
}

/** The store objects an agent says it refused, as rejections of its cluster (deduplicated by key and time). */
function agentRejections(a: AcceptedStatus): RejectionInput[] {
  return (a.report.rejections ?? []).map((r) => ({ at: r.at, cluster: a.cluster, key: r.key, etag: `agent:${r.at}`, reason: r.reason, message: `agent refused: ${r.detail}` }));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

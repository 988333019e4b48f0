// Reads what agents wrote to the store: registrations first, then status reports, each verified by
// rules.ts. Accepted reports and rejections of one poll land in one registry transaction. Each poll
// checks the keys the registry knows; a listing every DISCOVER_EVERY polls finds the rest (see
// discovery.ts), and entries that are no objects of the key space are recorded, never read.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { EnvelopeRejected } from '../../core/dsse.js';
import type { Logger } from '../../core/log.js';
import { keyRole } from '../../core/store/key-space.js';
import { StorePoller, type PollStats } from '../../core/store/poller.js';
import { parseClusterKey, storeKeys, type ObjectStore, type StoreEntry, type StoreObject } from '../../core/store/types.js';
import type { AcceptedStatus, FleetService } from '../fleet/service.js';
import type { DaemonMetrics } from '../metrics.js';
import type { RejectionInput } from '../registry/rejections.js';
import { checkRegistration, checkStatus, REGISTRATION_MAX_BYTES } from './rules.js';
import { DISCOVER_EVERY, discoveryExclude, entryRejection } from './discovery.js';

export interface StoreSyncOptions {
  store: ObjectStore;
  service: FleetService;
  metrics: DaemonMetrics;
  log: Logger;
  pollIntervalMs: number;
  statusMaxBytes: number;
}

const READ_WIDTH = 64;
/** Rejections of store entries go to the registry this many per transaction, so a flood of junk never stalls the API. */
const ENTRY_REJECTIONS_PER_TX = 500;

interface Read {
  entry: StoreEntry;
  cluster: string;
  object: StoreObject | null;
}

export class StoreSync {
  readonly poller: StorePoller;
  private inflight: Promise<void> = Promise.resolve();
  /** The same key strings every poll: maps and sets downstream hash each string once, not once per poll. */
  private readonly keyCache = new Map<string, [string, string]>();

  constructor(private readonly opts: StoreSyncOptions) {
    this.poller = new StorePoller(opts.store, {
      prefix: 'clusters/',
      keys: () => this.knownKeys(),
      listEvery: DISCOVER_EVERY,
      exclude: discoveryExclude,
      irregular: true,
      // Node's recursive fs.watch on Linux watches every directory from JavaScript: at 10,000
      // clusters it costs 0.8 s to set up and about 0.3 of a core at 1,000 writes a second, more
      // than the polls it would bring forward (docs/ARCHITECTURE.md, Polling).
      watch: false,
      intervalMs: opts.pollIntervalMs,
      onChange: (changed) => this.handle(changed),
      onError: (e) => opts.log.error({ err: e, store: opts.store.description }, 'store poll failed; retrying at the next interval'),
      onPolled: (stats) => this.notePoll(stats),
    });
  }

  /** The status and registration keys of every cluster the registry holds, but for expired ones. */
  private knownKeys(): string[] {
    const keys: string[] = [];
    for (const e of this.opts.service.state.values()) {
      if (e.record.registration === 'expired') continue;
      let pair = this.keyCache.get(e.record.name);
      if (!pair) {
        pair = [storeKeys.status(e.record.name), storeKeys.registration(e.record.name)];
        this.keyCache.set(e.record.name, pair);
      }
      keys.push(pair[0], pair[1]);
    }
    if (this.keyCache.size > this.opts.service.state.size) for (const name of this.keyCache.keys()) if (!this.opts.service.state.get(name)) this.keyCache.delete(name);
    return keys;
  }

  private notePoll(stats: PollStats): void {
    this.opts.metrics.storePolls.inc({ kind: stats.hinted ? 'hint' : stats.listed ? 'listing' : 'known' });
  }

  start(): void {
    this.poller.start();
  }

  /** Stops polling and waits for a batch in progress, so the registry can be closed after. */
  async stop(): Promise<void> {
    this.poller.stop();
    await this.inflight;
  }

  /** Handles one poll's changed objects; never throws for anything found in the store. */
  handle(changed: StoreEntry[]): Promise<void> {
    const run = this.inflight.then(() => this.handleBatch(changed));
    this.inflight = run.catch(() => undefined);
    return run;
  }

  private async handleBatch(changed: StoreEntry[]): Promise<void> {
    const started = process.hrtime.bigint();
    const registrations: Read['entry'][] = [];
    const statuses: Read['entry'][] = [];
    const entryRejections: RejectionInput[] = [];
    const at = new Date().toISOString();
    for (const e of changed) {
      const role = e.irregular ? null : keyRole(e.key)?.role;
      if (role === 'registration') registrations.push(e);
      else if (role === 'status') statuses.push(e);
      else if (!role) entryRejections.push(entryRejection(e, at));
      // Job envelopes, configs and backups are written by the daemon or read by agents, and results are
      // read by key for open jobs (daemon/jobs/result-poll.ts): not ours to judge.
    }
    const rejections: RejectionInput[] = [];
    for (const read of await this.readAll(registrations, REGISTRATION_MAX_BYTES)) {
      const r = this.handleRegistration(read);
      if (r) rejections.push(r);
    }
    const accepted: AcceptedStatus[] = [];
    for (const read of await this.readAll(statuses, this.opts.statusMaxBytes)) {
      const r = this.handleStatus(read);
      if ('reason' in r) rejections.push(r);
      // The etag of the object read, not of the listing: an agent that wrote again between the two
      // would otherwise leave its new report stored under the old etag, read again on the next poll
      // and rejected as stale.
      else if (r.report) accepted.push({ cluster: read.cluster, report: r.report, etag: read.object?.etag ?? read.entry.etag });
    }
    try {
      this.opts.service.applyBatch(accepted, rejections);
    } catch (e) {
      // The registry refused the batch: forget these objects so the next poll tries them again.
      this.opts.log.error({ err: e }, 'could not store a batch of status reports; will retry');
      for (const e2 of [...statuses, ...registrations]) this.poller.forget(e2.key);
    }
    await this.recordEntries(entryRejections);
    this.opts.metrics.pollSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
  }

  /** Records links, special files and junk in chunks, yielding between them: thousands may appear at once. */
  private async recordEntries(rejections: RejectionInput[]): Promise<void> {
    for (let i = 0; i < rejections.length; i += ENTRY_REJECTIONS_PER_TX) {
      const chunk = rejections.slice(i, i + ENTRY_REJECTIONS_PER_TX);
      try {
        this.opts.service.applyBatch([], chunk);
      } catch (e) {
        this.opts.log.error({ err: e }, 'could not record store entries that are not objects; will retry');
        for (const r of chunk) this.poller.forget(r.key);
      }
      if (i + ENTRY_REJECTIONS_PER_TX < rejections.length) await nextTurn();
    }
  }

  private async readAll(entries: StoreEntry[], maxBytes: number): Promise<Read[]> {
    const out: Read[] = [];
    for (let i = 0; i < entries.length; i += READ_WIDTH) {
      const batch = entries.slice(i, i + READ_WIDTH);
      const objects = await Promise.all(
        batch.map((e) =>
          this.opts.store.get(e.key, maxBytes).catch((err: unknown) => {
            this.opts.log.warn({ err, key: e.key }, 'store read failed; will retry');
            this.poller.forget(e.key);
            return undefined;
          }),
        ),
      );
      batch.forEach((entry, j) => {
        const object = objects[j];
        // undefined: read failed (retried later); null: gone since the listing.
        if (object !== undefined) out.push({ entry, cluster: parseClusterKey(entry.key)?.cluster ?? '', object });
      });
    }
    return out;
  }

  private rejection(read: Read, e: unknown): RejectionInput {
    const reason = e instanceof EnvelopeRejected ? e.reason : 'malformed_envelope';
    const message = e instanceof Error ? e.message : String(e);
    return { at: new Date().toISOString(), cluster: read.cluster || null, key: read.entry.key, etag: read.object?.etag ?? read.entry.etag, reason, message };
  }

  private handleRegistration(read: Read): RejectionInput | undefined {
    if (!read.object) return undefined;
    const { service } = this.opts;
    let verdict;
    try {
      verdict = checkRegistration(read.object.body, read.cluster, service.state.get(read.cluster)?.record);
    } catch (e) {
      return this.rejection(read, e);
    }
    if (verdict.kind === 'duplicate') return undefined;
    try {
      service.applyRegistration(read.cluster, verdict.registration, read.entry.key, read.object.etag);
    } catch (e) {
      this.opts.log.error({ err: e, cluster: read.cluster }, 'could not store a registration; will retry');
      this.poller.forget(read.entry.key);
    }
    return undefined;
  }

  private handleStatus(read: Read): RejectionInput | { report: AcceptedStatus['report'] | null } {
    if (!read.object) return { report: null };
    const { service } = this.opts;
    const entry = service.state.get(read.cluster);
    // The report already accepted (e.g. seen again after a restart) is not news and not a replay.
    if (entry?.latest && entry.latest.etag === read.object.etag) return { report: null };
    try {
      return {
        report: checkStatus(read.object.body, read.cluster, {
          record: entry?.record,
          agentKey: service.agentKey(read.cluster),
          lastSeq: entry?.latest?.seq ?? -1,
          maxBytes: this.opts.statusMaxBytes,
        }),
      };
    } catch (e) {
      // A report that arrives before its agent's registration is processed is judged again later.
      if (e instanceof EnvelopeRejected && e.reason === 'unknown_key' && entry?.record.registration === 'pending') this.poller.forget(read.entry.key);
      return this.rejection(read, e);
    }
  }
}

// The scale-out log sink (DESIGN.md §3.6): Elasticsearch 9 through @elastic/elasticsearch, on the
// same LogSink contract as FTS5 (test/contract/log-sink.ts). See docs/LOGS.md, "Elasticsearch sink",
// and docs/ARCHITECTURE.md, "Elasticsearch sink".
//
// Before the first write the sink checks the cluster (it is Elasticsearch 9), puts its index template
// and reads back the largest stored seq. When that fails because Elasticsearch is away, writes fail
// fast with a retry error (the sender keeps its lines) until a jittered backoff has passed, then the
// next write tries again; the daemon meanwhile runs and serves everything else. A failure that
// waiting will not fix (credentials, privileges, not Elasticsearch, a foreign template) is a config
// error: at start it stops the daemon (exit 78), later it is logged and answered 503 with the fix.
import type { Client } from '@elastic/elasticsearch';
import { jitteredBackoffMs } from '../../../core/backoff.js';
import { FlotillaError } from '../../../core/errors.js';
import { silentLogger, type Logger } from '../../../core/log.js';
import type { LogHistogram } from '../../../core/logs/api.js';
import type { LogRecord, StoredLogRecord } from '../../../core/logs/record.js';
import type { ResolvedQuery } from '../../../core/query/ast.js';
import type { LogSink, SinkPage, SinkRetention, SinkRetentionResult, SinkSearch, SinkStats, SinkWriteResult } from '../sink.js';
import { createEsClient, type EsConnectionOptions } from './client.js';
import { nextSeq } from './cursor.js';
import { failure } from './outcomes.js';
import { EsReader } from './reader.js';
import { EsRetention } from './retention.js';
import { indexPattern, indexTemplate, pinnedIndexHours, TEMPLATE_OWNER, templateName, type IndexSettings } from './template.js';
import { EsWriter, type EsRetry } from './writer.js';

export interface ElasticsearchSinkOptions extends EsConnectionOptions {
  indexPrefix: string;
  /** Used when the template is first put; an existing template keeps the width it pinned. */
  indexHours: number;
  /** Settings of indices made from now on (the template's); existing indices keep theirs. */
  indexSettings?: IndexSettings;
  /** `wait_for` (default): a write resolves once a refresh has made it searchable; `force` forces that refresh. */
  refresh?: 'wait_for' | 'force';
  retry: EsRetry;
  log?: Logger;
  now?: () => number;
  random?: () => number;
}

/** The Elasticsearch major version this client speaks (compatible-with=9 headers). */
export const SUPPORTED_MAJOR = 9;

export class ElasticsearchLogSink implements LogSink {
  readonly kind = 'elasticsearch' as const;
  private readonly client: Client;
  private readonly where: string;
  private readonly reader: EsReader;
  private readonly writer: EsWriter;
  private readonly retention: EsRetention;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly abort = new AbortController();
  private closed = false;
  private prepared = false;
  private preparing: Promise<void> | undefined;
  private lastFailure: FlotillaError | undefined;
  private failures = 0;
  private retryAt = 0;
  private seq = 0;
  /** The index width in force (from the template, which may differ from the configured one). */
  indexHours: number;

  constructor(private readonly opts: ElasticsearchSinkOptions) {
    this.client = createEsClient(opts);
    this.where = opts.nodes.join(', ');
    this.log = opts.log ?? silentLogger();
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.indexHours = opts.indexHours;
    this.reader = new EsReader(this.client, this.where, indexPattern(opts.indexPrefix));
    this.writer = new EsWriter({ client: this.client, where: this.where, prefix: opts.indexPrefix, refresh: opts.refresh ?? 'wait_for', retry: opts.retry, log: this.log, signal: this.abort.signal, now: this.now, random: this.random });
    this.retention = new EsRetention(this.client, this.reader, this.where, this.log);
  }

  /**
   * The daemon's start-up check: throws what waiting will not fix (kind `config`); an unreachable
   * Elasticsearch is logged and left to the next write.
   */
  async connect(): Promise<void> {
    try {
      await this.ready();
    } catch (e) {
      if (e instanceof FlotillaError && e.kind === 'config') throw e;
    }
  }

  private async prepare(): Promise<void> {
    let version: string;
    try {
      version = (await this.client.info()).version.number;
    } catch (e) {
      throw failure(e, this.where, 'cluster check');
    }
    if (Number(version.split('.')[0]) !== SUPPORTED_MAJOR) {
      throw new FlotillaError('config', `Elasticsearch at ${this.where} is version ${version}; Flotilla's client speaks ${SUPPORTED_MAJOR}.x`, `Point logs.sink.nodes at an Elasticsearch ${SUPPORTED_MAJOR} cluster.`);
    }
    const name = templateName(this.opts.indexPrefix);
    let meta: unknown;
    let exists = false;
    try {
      const r = await this.client.indices.getIndexTemplate({ name });
      const found = r.index_templates.find((t) => t.name === name);
      exists = found !== undefined;
      meta = found?.index_template._meta;
    } catch (e) {
      if ((e as { meta?: { statusCode?: number } }).meta?.statusCode !== 404) throw failure(e, this.where, 'index template check');
    }
    if (exists && (meta as { managed_by?: unknown } | undefined)?.managed_by !== TEMPLATE_OWNER) {
      throw new FlotillaError('config', `Elasticsearch at ${this.where} has an index template "${name}" that Flotilla did not make`, 'Set logs.sink.indexPrefix to a prefix of Flotilla’s own, or delete that template if nothing uses it.');
    }
    const pinned = pinnedIndexHours(meta);
    if (pinned !== undefined && pinned !== this.opts.indexHours) {
      this.log.warn({ configured: this.opts.indexHours, kept: pinned, template: name }, 'logs.sink.indexHours differs from the width the existing indices use; keeping theirs (a record must keep landing in the same index for duplicates to be found)');
    }
    const hours = pinned ?? this.opts.indexHours;
    try {
      await this.client.indices.putIndexTemplate({ name, ...indexTemplate({ prefix: this.opts.indexPrefix, indexHours: hours, ...(this.opts.indexSettings ? { settings: this.opts.indexSettings } : {}) }) });
    } catch (e) {
      throw failure(e, this.where, 'index template update');
    }
    this.indexHours = hours;
    this.seq = Math.max(this.seq, await this.reader.maxSeq());
  }

  /** Single flight; after a failure, fails fast until the backoff has passed. */
  private async ready(): Promise<void> {
    this.open();
    if (this.prepared) return;
    if (this.preparing) return this.preparing;
    if (this.lastFailure && this.now() < this.retryAt) throw this.lastFailure;
    this.preparing = this.prepare().then(
      () => {
        if (this.lastFailure) this.log.info({ nodes: this.where }, 'Elasticsearch is reachable again; log ingest resumes');
        this.prepared = true;
        this.lastFailure = undefined;
        this.failures = 0;
      },
      (e: unknown) => {
        const err = failure(e, this.where, 'cluster check');
        this.failures++;
        this.retryAt = this.now() + jitteredBackoffMs(this.failures, this.random(), { baseMs: this.opts.retry.initialMs, capMs: this.opts.retry.maxMs });
        if (!this.lastFailure || this.lastFailure.message !== err.message) {
          const fields = { err: err.message, next: err.next, retryInMs: this.retryAt - this.now() };
          if (err.kind === 'config') this.log.error(fields, 'the Elasticsearch log sink cannot work with this cluster');
          else this.log.warn(fields, 'Elasticsearch is unavailable; log ingest is answered 503 (agents keep their lines) until it is back');
        }
        this.lastFailure = err;
        throw err;
      },
    );
    try {
      await this.preparing;
    } finally {
      this.preparing = undefined;
    }
  }

  private open(): void {
    if (this.closed) throw new FlotillaError('unavailable', 'the log store is closed', 'Retry once the daemon has restarted.');
  }

  async write(records: readonly LogRecord[]): Promise<SinkWriteResult> {
    await this.ready();
    return this.writer.write(records, this.indexHours, () => (this.seq = nextSeq(this.seq, this.now())));
  }

  async search(req: SinkSearch): Promise<SinkPage> {
    this.open();
    return this.reader.search(req);
  }

  async storedAfter(query: ResolvedQuery, after: string | null, limit: number): Promise<{ items: StoredLogRecord[]; next: string | null }> {
    this.open();
    return this.reader.storedAfter(query, after, limit);
  }

  async head(): Promise<string | null> {
    this.open();
    return this.reader.head();
  }

  async context(id: string, lines: number): Promise<{ hit: StoredLogRecord; before: StoredLogRecord[]; after: StoredLogRecord[] } | null> {
    this.open();
    return this.reader.context(id, lines);
  }

  async histogram(query: ResolvedQuery & { sinceMs: number; untilMs: number }, buckets: number): Promise<LogHistogram> {
    this.open();
    return this.reader.histogram(query, buckets);
  }

  async retain(policy: SinkRetention, nowMs: number): Promise<SinkRetentionResult> {
    this.open();
    return this.retention.retain(policy, nowMs);
  }

  async stats(): Promise<SinkStats> {
    this.open();
    return this.reader.stats();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    await this.client.close();
  }
}

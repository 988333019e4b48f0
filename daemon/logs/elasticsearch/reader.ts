// The Elasticsearch sink's reads, over every index of the prefix (`<prefix>-*`): Elasticsearch skips
// the shards whose ts range a query's bounds exclude, so the pattern costs nothing for old indices.
import type { Client } from '@elastic/elasticsearch';
import { FlotillaError } from '../../../core/errors.js';
import type { LogHistogram } from '../../../core/logs/api.js';
import { LOG_ID, type StoredLogRecord } from '../../../core/logs/record.js';
import type { ResolvedQuery } from '../../../core/query/ast.js';
import type { SinkPage, SinkSearch, SinkStats } from '../sink.js';
import { decodeSeq, encodePage, encodeSeq } from './cursor.js';
import { fromSource } from './documents.js';
import { failure } from './outcomes.js';
import { byIdBody, contextBody, edgeBody, HEAD_BODY, histogramBody, histogramFrom, searchBody, storedAfterBody, type SearchBody } from './requests.js';

interface Hit {
  _index: string;
  _id?: string;
  _source?: unknown;
  sort?: unknown[];
}

export interface IndexRow {
  index: string;
  docs: number;
  bytes: number;
}

export class EsReader {
  constructor(
    private readonly client: Client,
    private readonly where: string,
    private readonly pattern: string,
  ) {}

  async hits(body: SearchBody, what: string): Promise<{ hits: Hit[]; aggregations?: unknown }> {
    try {
      const r = await this.client.search({ index: this.pattern, ...body } as Parameters<Client['search']>[0]);
      return { hits: r.hits.hits, aggregations: r.aggregations };
    } catch (e) {
      throw failure(e, this.where, what);
    }
  }

  private record(h: Hit): StoredLogRecord {
    return fromSource(h._index, h._id ?? '', h._source);
  }

  async search(req: SinkSearch): Promise<SinkPage> {
    const { hits } = await this.hits(searchBody(req.query, req.limit, req.before), 'search');
    const page = hits.slice(0, req.limit);
    const last = page[page.length - 1];
    return { items: page.map((h) => this.record(h)), ...(hits.length > req.limit && last ? { next: encodePage(last.sort ?? []) } : {}) };
  }

  async storedAfter(query: ResolvedQuery, after: string | null, limit: number): Promise<{ items: StoredLogRecord[]; next: string | null }> {
    const { hits } = await this.hits(storedAfterBody(query, after, limit), 'search');
    const items = hits.slice(0, limit).map((h) => this.record(h));
    return { items, next: hits.length > limit ? items[items.length - 1]!.cursor : null };
  }

  async head(): Promise<string | null> {
    const { hits } = await this.hits(HEAD_BODY, 'search');
    const seq = hits[0]?.sort?.[0];
    return typeof seq === 'number' ? encodeSeq(seq) : null;
  }

  /** The largest stored seq (0 when empty), where the writer's seq continues. */
  async maxSeq(): Promise<number> {
    const { hits } = await this.hits(HEAD_BODY, 'search');
    const seq = hits[0]?.sort?.[0];
    return typeof seq === 'number' ? seq : 0;
  }

  async context(id: string, lines: number): Promise<{ hit: StoredLogRecord; before: StoredLogRecord[]; after: StoredLogRecord[] } | null> {
    if (!LOG_ID.test(id)) return null;
    if (!Number.isInteger(lines) || lines < 0 || lines > 1000) throw new FlotillaError('usage', `context of ${lines} lines is out of range`, 'Ask for 0 to 1000 lines of context.');
    const found = (await this.hits(byIdBody(id), 'search')).hits[0];
    if (!found) return null;
    const hit = this.record(found);
    if (lines === 0) return { hit, before: [], after: [] };
    const seq = decodeSeq(hit.cursor);
    const [before, after] = await Promise.all([this.hits(contextBody(hit, seq, lines, 'before'), 'search'), this.hits(contextBody(hit, seq, lines, 'after'), 'search')]);
    return { hit, before: before.hits.map((h) => this.record(h)).reverse(), after: after.hits.map((h) => this.record(h)) };
  }

  async histogram(query: ResolvedQuery & { sinceMs: number; untilMs: number }, buckets: number): Promise<LogHistogram> {
    const plan = histogramBody(query, buckets);
    const { aggregations } = await this.hits(plan.body, 'search');
    return histogramFrom(aggregations, query, buckets, plan.bucketMs);
  }

  /** The prefix's indices with their document counts and store sizes (all copies), oldest name first. */
  async indices(): Promise<IndexRow[]> {
    try {
      const rows = await this.client.cat.indices({ index: this.pattern, format: 'json', bytes: 'b', h: ['index', 'docs.count', 'store.size'] });
      return (rows as Record<string, unknown>[])
        .map((r) => ({ index: String(r.index), docs: Number(r['docs.count'] ?? 0) || 0, bytes: Number(r['store.size'] ?? 0) || 0 }))
        .sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0));
    } catch (e) {
      throw failure(e, this.where, 'listing of indices');
    }
  }

  async stats(): Promise<SinkStats> {
    let records: number;
    try {
      records = (await this.client.count({ index: this.pattern })).count;
    } catch (e) {
      throw failure(e, this.where, 'count');
    }
    const [rows, oldest, newest] = await Promise.all([this.indices(), this.hits(edgeBody('oldest'), 'search'), this.hits(edgeBody('newest'), 'search')]);
    const ts = (h: Hit | undefined) => {
      const v = (h?._source as { ts?: unknown } | undefined)?.ts;
      return typeof v === 'string' ? v : null;
    };
    return { records, bytes: rows.reduce((n, r) => n + r.bytes, 0), partitions: rows.length, oldestTs: ts(oldest.hits[0]), newestTs: ts(newest.hits[0]) };
  }
}

// The Elasticsearch sink's writes (docs/LOGS.md, "Elasticsearch sink"): `_bulk` with `create` and
// _id = record id, `refresh=wait_for` so what write() returns is searchable, retried until a deadline.
//
// - 201: stored. 409: the id is stored already: a duplicate — unless this process may have stored it
//   itself without saying so (an attempt cut off by a reset or a timeout, or an earlier write that
//   gave up), in which case the stored document's seq decides: one we assigned and never reported
//   means the record is ours and is reported stored now, with that cursor. Those ids are "claims".
// - 429 (the whole request or an item) and 5xx: sent again after a jittered backoff.
// - Item 4xx: returned in `rejected` with Elasticsearch's reason, for the caller to dead-letter.
// - A missing index (a cluster that does not create indices on write): created, then sent again.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';
import { jitteredBackoffMs } from '../../../core/backoff.js';
import { FlotillaError } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import type { LogRecord, StoredLogRecord } from '../../../core/logs/record.js';
import type { SinkWriteResult } from '../sink.js';
import { encodeSeq } from './cursor.js';
import { checkRecords, toDocument, type LogDocument } from './documents.js';
import { itemOutcome, requestOutcome } from './outcomes.js';
import { indexFor } from './template.js';

export interface EsRetry {
  initialMs: number;
  maxMs: number;
  /** A write that is still not through after this long gives up (the sender retries the batch). */
  writeDeadlineMs: number;
}

export interface EsWriterOptions {
  client: Client;
  where: string;
  prefix: string;
  refresh: 'wait_for' | 'force';
  retry: EsRetry;
  log: Logger;
  signal: AbortSignal;
  now: () => number;
  random: () => number;
}

interface Item {
  at: number;
  record: LogRecord;
  seq: number;
  index: string;
  doc: LogDocument;
}

/** Claims kept at most: ids this process may have stored without reporting them. */
const MAX_CLAIMS = 100_000;
/** NDJSON bytes per bulk request, well under Elasticsearch's http.max_content_length (100 MB). */
const MAX_BULK_BYTES = 16 * 1024 * 1024;

export class EsWriter {
  private readonly claims = new Map<string, number>();

  constructor(private readonly o: EsWriterOptions) {}

  /** `assign` gives the next ingest seq; `indexHours` places each record. */
  async write(records: readonly LogRecord[], indexHours: number, assign: () => number): Promise<SinkWriteResult> {
    const ms = checkRecords(records);
    const seen = new Set<string>();
    const items: Item[] = [];
    let duplicates = 0;
    records.forEach((record, at) => {
      if (seen.has(record.id)) {
        duplicates++;
        return;
      }
      seen.add(record.id);
      const seq = assign();
      items.push({ at, record, seq, index: indexFor(this.o.prefix, indexHours, ms[at]!), doc: toDocument(record, seq) });
    });
    const deadline = this.o.now() + this.o.retry.writeDeadlineMs;
    const stored: { at: number; record: StoredLogRecord }[] = [];
    const rejected: { id: string; reason: string }[] = [];
    const created: { id: string; seq: number }[] = [];
    try {
      for (const chunk of chunks(items)) {
        const r = await this.writeChunk(chunk, deadline, created);
        duplicates += r.duplicates;
        rejected.push(...r.rejected);
        stored.push(...r.stored);
      }
    } catch (e) {
      // Stored but not reported: a resend finds them by their claim and reports them then.
      for (const c of created) this.claim(c.id, c.seq);
      throw e;
    }
    stored.sort((a, b) => a.at - b.at);
    return { stored: stored.map((s) => s.record), duplicates, rejected };
  }

  private claim(id: string, seq: number): void {
    if (this.claims.has(id)) return;
    if (this.claims.size >= MAX_CLAIMS) this.claims.delete(this.claims.keys().next().value!);
    this.claims.set(id, seq);
  }

  private async writeChunk(items: Item[], deadline: number, created: { id: string; seq: number }[]): Promise<{ stored: { at: number; record: StoredLogRecord }[]; duplicates: number; rejected: { id: string; reason: string }[] }> {
    const stored: { at: number; record: StoredLogRecord }[] = [];
    const rejected: { id: string; reason: string }[] = [];
    const maybeOurs: Item[] = [];
    let duplicates = 0;
    let pending = items;
    let attempt = 0;
    while (pending.length > 0) {
      let answer: { items: unknown[] };
      try {
        answer = (await this.o.client.bulk({ operations: pending.flatMap((it) => [{ create: { _index: it.index, _id: it.record.id } }, it.doc]), refresh: this.o.refresh === 'force' ? true : 'wait_for' }, { signal: this.o.signal }));
      } catch (e) {
        const o = requestOutcome(e, this.o.where);
        if (o.kind === 'fatal') throw this.closing() ?? o.error;
        // The request may have been applied: any of these may now answer 409 with our own document.
        if (o.kind === 'retry_ambiguous') for (const it of pending) this.claim(it.record.id, it.seq);
        await this.pause(++attempt, deadline, o.reason, pending.length);
        continue;
      }
      const next: Item[] = [];
      const missing = new Set<string>();
      let reason = '';
      pending.forEach((it, k) => {
        const o = itemOutcome(answer.items[k]);
        if (o.kind === 'created') {
          created.push({ id: it.record.id, seq: it.seq });
          this.claims.delete(it.record.id);
          stored.push({ at: it.at, record: { ...it.record, cursor: encodeSeq(it.seq) } });
        } else if (o.kind === 'exists') {
          if (this.claims.has(it.record.id)) maybeOurs.push(it);
          else duplicates++;
        } else if (o.kind === 'retry') {
          reason = o.reason;
          next.push(it);
        } else if (o.kind === 'missing_index') {
          missing.add(it.index);
          next.push(it);
        } else {
          rejected.push({ id: it.record.id, reason: o.reason });
        }
      });
      for (const index of missing) await this.createIndex(index, deadline);
      pending = next;
      if (pending.length > 0 && missing.size === 0) await this.pause(++attempt, deadline, reason, pending.length);
    }
    if (maybeOurs.length > 0) {
      const ours = await this.storedSeqs(maybeOurs, deadline);
      for (const it of maybeOurs) {
        const seq = ours.get(it.record.id);
        const claimed = this.claims.get(it.record.id);
        this.claims.delete(it.record.id);
        if (seq !== undefined && (seq === it.seq || seq === claimed)) {
          created.push({ id: it.record.id, seq });
          stored.push({ at: it.at, record: { ...it.record, cursor: encodeSeq(seq) } });
        } else {
          duplicates++;
        }
      }
    }
    return { stored, duplicates, rejected };
  }

  /** The seq each document is stored with (mget is real-time: no refresh needed). */
  private async storedSeqs(items: Item[], deadline: number): Promise<Map<string, number>> {
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await this.o.client.mget<{ seq?: unknown }>({ docs: items.map((it) => ({ _index: it.index, _id: it.record.id, _source: ['seq'] })) }, { signal: this.o.signal });
        const out = new Map<string, number>();
        for (const d of r.docs) {
          const seq = 'found' in d && d.found ? d._source?.seq : undefined;
          if (typeof seq === 'number') out.set(d._id, seq);
        }
        return out;
      } catch (e) {
        const o = requestOutcome(e, this.o.where);
        if (o.kind === 'fatal') throw this.closing() ?? o.error;
        await this.pause(attempt, deadline, o.reason, items.length);
      }
    }
  }

  private async createIndex(index: string, deadline: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.o.client.indices.create({ index }, { signal: this.o.signal });
        this.o.log.info({ index }, 'created an Elasticsearch index for log records (the cluster does not create indices on write)');
        return;
      } catch (e) {
        const body = (e as { meta?: { body?: { error?: { type?: unknown } } } }).meta?.body;
        if (body?.error?.type === 'resource_already_exists_exception') return;
        const o = requestOutcome(e, this.o.where);
        if (o.kind === 'fatal') throw this.closing() ?? o.error;
        await this.pause(attempt, deadline, o.reason, 0);
      }
    }
  }

  private closing(): FlotillaError | undefined {
    return this.o.signal.aborted ? new FlotillaError('unavailable', 'the log store is closing', 'Retry once the daemon has restarted.') : undefined;
  }

  /** Waits before attempt+1, or gives up when that would pass the deadline. */
  private async pause(attempt: number, deadline: number, reason: string, records: number): Promise<void> {
    const closing = this.closing();
    if (closing) throw closing;
    const wait = jitteredBackoffMs(attempt, this.o.random(), { baseMs: this.o.retry.initialMs, capMs: this.o.retry.maxMs });
    if (this.o.now() + wait > deadline) {
      throw new FlotillaError('retry', `Elasticsearch at ${this.o.where} did not take the batch within ${this.o.retry.writeDeadlineMs} ms: ${reason}`, 'The sender retries the batch; nothing is lost. If it persists, check the Elasticsearch cluster (rejections, disk watermarks, node health).');
    }
    this.o.log.warn({ attempt, waitMs: wait, records, reason }, 'Elasticsearch did not take every log record; sending them again');
    try {
      await sleep(wait, undefined, { signal: this.o.signal });
    } catch {
      throw this.closing() ?? new FlotillaError('unavailable', 'the log store is closing', 'Retry once the daemon has restarted.');
    }
  }
}

/** Items in bulk requests of at most MAX_BULK_BYTES (a single larger document goes alone). */
function chunks(items: Item[]): Item[][] {
  const out: Item[][] = [];
  let current: Item[] = [];
  let bytes = 0;
  for (const it of items) {
    const size = Buffer.byteLength(JSON.stringify(it.doc)) + 100;
    if (current.length > 0 && bytes + size > MAX_BULK_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(it);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

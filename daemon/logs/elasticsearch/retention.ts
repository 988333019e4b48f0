// Retention on Elasticsearch (docs/LOGS.md, "Elasticsearch sink"), as on FTS5 partitions: whole
// indices go, by age and then by size, oldest first.
//
// 1. By age: an index whose newest record is older than the cut is deleted whole. In an index the cut
//    falls in, the records older than it are deleted by query — each run only what aged since the
//    last, so no record is kept past maxAge and the cost stays small.
// 2. By size (the store size of every copy, as `_cat/indices` reports it): while over maxBytes, the
//    oldest index is deleted. The newest is never deleted whole; if it alone is over, its oldest
//    records are deleted by query in proportion to the excess, once per run: Elasticsearch frees
//    the space of deleted documents only as it merges segments, so a second pass would see no change.
import type { Client } from '@elastic/elasticsearch';
import type { Logger } from '../../../core/log.js';
import type { SinkRetention, SinkRetentionResult } from '../sink.js';
import { failure } from './outcomes.js';
import type { EsReader, IndexRow } from './reader.js';
import { INVENTORY_BODY, spansFrom } from './requests.js';

/** A delete-by-query may run long on a big index; it gets far more than the usual request timeout. */
const DELETE_BY_QUERY_TIMEOUT_MS = 10 * 60_000;

export class EsRetention {
  constructor(
    private readonly client: Client,
    private readonly reader: EsReader,
    private readonly where: string,
    private readonly log: Logger,
  ) {}

  private async deleteIndex(row: IndexRow): Promise<void> {
    try {
      await this.client.indices.delete({ index: row.index });
    } catch (e) {
      throw failure(e, this.where, `deletion of index ${row.index}`);
    }
    this.log.info({ index: row.index, records: row.docs, bytes: row.bytes }, 'log retention deleted an Elasticsearch index');
  }

  /** Deletes the index's records with ts before cutMs; returns how many. */
  private async deleteBefore(index: string, cutMs: number): Promise<number> {
    try {
      const r = await this.client.deleteByQuery(
        { index, query: { range: { ts: { lt: new Date(cutMs).toISOString() } } }, refresh: true, conflicts: 'proceed', wait_for_completion: true },
        { requestTimeout: DELETE_BY_QUERY_TIMEOUT_MS },
      );
      return r.deleted ?? 0;
    } catch (e) {
      throw failure(e, this.where, `delete-by-query in index ${index}`);
    }
  }

  async retain(policy: SinkRetention, nowMs: number): Promise<SinkRetentionResult> {
    let rows = await this.reader.indices();
    const before = total(rows);
    let removedRecords = 0;
    let removedPartitions = 0;
    const cutoff = nowMs - policy.maxAgeMs;
    const spans = spansFrom((await this.reader.hits(INVENTORY_BODY, 'search')).aggregations);
    for (const row of rows) {
      const span = spans.get(row.index);
      if (!span || span.newestMs === null || span.oldestMs === null) continue;
      if (span.newestMs < cutoff) {
        await this.deleteIndex(row);
        removedRecords += row.docs;
        removedPartitions++;
      } else if (span.oldestMs < cutoff) {
        removedRecords += await this.deleteBefore(row.index, cutoff);
      }
    }

    rows = await this.reader.indices();
    let size = total(rows);
    while (size > policy.maxBytes && rows.length > 1) {
      const oldest = rows.shift()!;
      await this.deleteIndex(oldest);
      removedRecords += oldest.docs;
      removedPartitions++;
      size -= oldest.bytes;
    }
    if (size > policy.maxBytes && rows.length === 1 && rows[0]!.docs > 0) {
      const span = spansFrom((await this.reader.hits(INVENTORY_BODY, 'search')).aggregations).get(rows[0]!.index);
      if (span && span.oldestMs !== null && span.newestMs !== null) {
        const fraction = Math.min(1, (size - policy.maxBytes) / size + 0.05);
        const cut = fraction >= 1 ? span.newestMs + 1 : span.oldestMs + Math.ceil((span.newestMs - span.oldestMs) * fraction);
        removedRecords += await this.deleteBefore(rows[0]!.index, cut);
      }
    }
    const after = removedRecords > 0 ? total(await this.reader.indices()) : before;
    return { removedRecords, removedBytes: Math.max(0, before - after), removedPartitions };
  }
}

function total(rows: readonly IndexRow[]): number {
  return rows.reduce((n, r) => n + r.bytes, 0);
}

// The FTS5 sink's tables (docs/ARCHITECTURE.md, "Log sink"). One records table and one FTS5 index
// per time partition, so retention drops tables instead of deleting rows and each index stays small.
// Sources (cluster, namespace, pod, container, node) are stored once in log_sources and records carry
// their sid: a filter on them is decided on a few thousand rows, and records are found by sid.
import { SOURCES_TABLE } from './compile.js';

/**
 * The tokenizer of every index. The live matcher (core/query/match.ts) reproduces this rule, and the
 * contract suite checks they agree: change both or neither.
 */
export const FTS_TOKENIZE = 'unicode61 remove_diacritics 1';

export const SCHEMA_VERSION = 1;

export const BASE_SCHEMA = `
CREATE TABLE IF NOT EXISTS log_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
-- AUTOINCREMENT: a pruned sid is never handed to another source, so a reader's sid cache stays true.
CREATE TABLE IF NOT EXISTS ${SOURCES_TABLE} (
  sid INTEGER PRIMARY KEY AUTOINCREMENT,
  cluster TEXT NOT NULL, namespace TEXT NOT NULL, pod TEXT NOT NULL, container TEXT NOT NULL, node TEXT NOT NULL,
  UNIQUE (cluster, namespace, pod, container, node)
);
CREATE TABLE IF NOT EXISTS log_partitions (
  part INTEGER PRIMARY KEY,
  records INTEGER NOT NULL DEFAULT 0,
  max_seq INTEGER NOT NULL DEFAULT 0
) STRICT;
`;

export function recordsTable(part: number): string {
  return `logs_${part}`;
}

export function ftsTable(part: number): string {
  return `logs_${part}_fts`;
}

/**
 * rid is the ts-ordered rowid (rowkey.ts); seq the global ingest position; id the 16 bytes of the
 * record id. The FTS index is contentless (the message is stored once, in the records table) with
 * contentless_delete so age retention can delete the old rows of a partly old partition; detail=full
 * keeps token positions, which phrases need.
 */
export function partitionSchema(part: number): string {
  const t = recordsTable(part);
  return `
CREATE TABLE ${t} (
  rid INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL,
  id BLOB NOT NULL,
  sid INTEGER NOT NULL,
  level INTEGER NOT NULL,
  stream INTEGER NOT NULL,
  ts TEXT NOT NULL,
  message TEXT NOT NULL,
  fields TEXT
) STRICT;
CREATE UNIQUE INDEX ${t}_id ON ${t} (id);
CREATE INDEX ${t}_seq ON ${t} (seq);
CREATE INDEX ${t}_sid ON ${t} (sid);
CREATE VIRTUAL TABLE ${ftsTable(part)} USING fts5(message, content='', contentless_delete=1, tokenize='${FTS_TOKENIZE}');
INSERT INTO log_partitions (part) VALUES (${part});
`;
}

export function dropPartition(part: number): string {
  return `DROP TABLE IF EXISTS ${ftsTable(part)}; DROP TABLE IF EXISTS ${recordsTable(part)}; DELETE FROM log_partitions WHERE part = ${part};`;
}

/** The columns a reader selects from a records table aliased r. */
export const RECORD_COLUMNS = 'r.rid, r.seq, r.id, r.sid, r.level, r.stream, r.ts, r.message, r.fields';

export interface RecordRow {
  rid: number;
  seq: number;
  id: Buffer;
  sid: number;
  level: number;
  stream: number;
  ts: string;
  message: string;
  fields: string | null;
}

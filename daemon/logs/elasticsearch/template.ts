// What the Elasticsearch sink keeps in Elasticsearch (docs/LOGS.md, "Elasticsearch sink"): one index
// per time partition of the record's own ts, named `<prefix>-YYYY.MM.DD` (or `…-HH` below a day), all
// made from one composable index template. Pure: the template and the names are data, tested directly.
//
// The `message` analyzer reproduces the query language's word rule (core/query/tokens.ts, SQLite's
// unicode61 with remove_diacritics): a mapping char filter folds the characters whose fold is not
// their simple lower case (Latin letters with one diacritic, final sigma, long s, …), a pattern
// tokenizer splits at every character that is not a token character, and `lowercase` does the rest.
// The table is computed from tokens.ts itself, so the two cannot drift apart.
import { foldToken } from '../../../core/query/tokens.js';

/** Bumped when the template's mappings or analysis change; kept in the template's _meta. */
export const TEMPLATE_SCHEMA = 1;
export const TEMPLATE_OWNER = 'flotilla';
export const ANALYZER = 'flotilla_words';

/** Splits at every character that is not a token character (Java and JavaScript `u` regexes read it alike). */
export const SEPARATOR_PATTERN = '(?:[^\\p{L}\\p{N}\\p{Co}\\p{Cn}]|[\\uFFFE\\uFFFF])+';

/**
 * Tokens longer than this are cut: Lucene refuses a document with a term over 32,766 UTF-8 bytes,
 * and 4,096 characters stay under it whatever the script. A word query is analyzed the same way.
 */
export const MAX_TOKEN_CHARS = 4096;

const TOKEN_CHAR = /^(?![\uFFFE\uFFFF])[\p{L}\p{N}\p{Co}\p{Cn}]$/u;

/** Java's Character.toLowerCase(int): the simple (one code point) lower case, else the character itself. */
export function simpleLower(ch: string): string {
  const l = ch.toLowerCase();
  return [...l].length === 1 ? l : ch;
}

let foldRules: string[] | undefined;

/** Past this, no script has case or diacritics to fold (planes 2 and up: CJK ideographs, tags, private use). */
const FOLD_END = 0x20000;

/**
 * `c => f` for every non-ASCII token character whose fold (foldToken) is not its simple lower case;
 * a character the table does not name is folded by the `lowercase` filter alone.
 */
export function foldMappings(): string[] {
  if (foldRules) return foldRules;
  const rules: string[] = [];
  for (let cp = 0x80; cp < FOLD_END; cp++) {
    if (cp >= 0xd800 && cp < 0xe000) continue;
    const ch = String.fromCodePoint(cp);
    if (!TOKEN_CHAR.test(ch)) continue;
    const folded = foldToken(ch);
    if (folded !== simpleLower(ch)) rules.push(`${ch} => ${folded}`);
  }
  foldRules = rules;
  return rules;
}

/** The index settings an operator may choose (only one composable template applies to an index, so they live in ours). */
export interface IndexSettings {
  shards?: number;
  replicas?: number;
  /** index.refresh_interval, e.g. "1s": how often writes become searchable, which refresh=wait_for waits for. */
  refreshInterval?: string;
}

export interface TemplateOptions {
  prefix: string;
  /** Hours of records per index; pinned in _meta so every later start places a record in the same index. */
  indexHours: number;
  settings?: IndexSettings;
}

/** The index pattern every read and the template use. */
export function indexPattern(prefix: string): string {
  return `${prefix}-*`;
}

export function templateName(prefix: string): string {
  return prefix;
}

const DAY_MS = 86_400_000;

/** The index a record of this epoch-ms ts goes to: a function of its ts alone, so the same id always lands in the same index. */
export function indexFor(prefix: string, indexHours: number, ms: number): string {
  const width = indexHours * 3_600_000;
  const start = new Date(Math.floor(ms / width) * width).toISOString();
  const day = `${start.slice(0, 4)}.${start.slice(5, 7)}.${start.slice(8, 10)}`;
  return width % DAY_MS === 0 ? `${prefix}-${day}` : `${prefix}-${day}-${start.slice(11, 13)}`;
}

/** The record's fields in the index; `field_values` is derived (see documents.ts) and left out of _source. */
export function mappings(): Record<string, unknown> {
  const keyword = { type: 'keyword' };
  return {
    dynamic: 'strict',
    _source: { excludes: ['field_values'] },
    properties: {
      ts: { type: 'date_nanos' },
      seq: { type: 'long' },
      cluster: keyword,
      namespace: keyword,
      pod: keyword,
      container: keyword,
      node: keyword,
      stream: keyword,
      level: keyword,
      message: { type: 'text', analyzer: ANALYZER },
      // For people and dashboards (term and prefix queries on fields.KEY); null is kept as "null".
      fields: { type: 'flattened', null_value: 'null' },
      // What the query language compiles `fields.KEY:` to: Elasticsearch refuses wildcard queries on
      // keyed flattened fields, so each pair is also a keyword "KEY\u0000VALUE".
      field_values: keyword,
    },
  };
}

export function analysis(): Record<string, unknown> {
  return {
    char_filter: { flotilla_fold: { type: 'mapping', mappings: foldMappings() } },
    tokenizer: { flotilla_words: { type: 'pattern', pattern: SEPARATOR_PATTERN } },
    filter: { flotilla_truncate: { type: 'truncate', length: MAX_TOKEN_CHARS } },
    analyzer: { [ANALYZER]: { type: 'custom', char_filter: ['flotilla_fold'], tokenizer: 'flotilla_words', filter: ['lowercase', 'flotilla_truncate'] } },
  };
}

export interface TemplateMeta {
  managed_by: typeof TEMPLATE_OWNER;
  schema: number;
  index_hours: number;
}

/** The body of PUT _index_template/<prefix>. */
export function indexTemplate(opts: TemplateOptions): { index_patterns: string[]; priority: number; template: Record<string, unknown>; _meta: TemplateMeta } {
  return {
    index_patterns: [indexPattern(opts.prefix)],
    // Above the built-in templates (logs-*-* is 100), so a prefix that matches one still gets this one.
    priority: 500,
    template: {
      settings: {
        index: {
          analysis: analysis(),
          ...(opts.settings?.shards === undefined ? {} : { number_of_shards: opts.settings.shards }),
          ...(opts.settings?.replicas === undefined ? {} : { number_of_replicas: opts.settings.replicas }),
          ...(opts.settings?.refreshInterval === undefined ? {} : { refresh_interval: opts.settings.refreshInterval }),
        },
      },
      mappings: mappings(),
    },
    _meta: { managed_by: TEMPLATE_OWNER, schema: TEMPLATE_SCHEMA, index_hours: opts.indexHours },
  };
}

/** The pinned index width of an existing template, if it is one of ours. */
export function pinnedIndexHours(meta: unknown): number | undefined {
  if (typeof meta !== 'object' || meta === null) return undefined;
  const m = meta as Partial<TemplateMeta>;
  return m.managed_by === TEMPLATE_OWNER && Number.isInteger(m.index_hours) && m.index_hours! >= 1 && m.index_hours! <= 168 ? m.index_hours : undefined;
}

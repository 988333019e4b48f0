// The test server's indices: composable index templates applied when an index is made (explicitly or
// by a write), mappings that parse each document as Elasticsearch does for the types the sink uses
// (keyword, text with an analyzer, date_nanos, date, long, boolean, flattened with null_value, object
// with enabled: false; `dynamic: strict` refusing unknown fields), `_source.excludes`, realtime gets,
// and searches that see only what a refresh has made visible (periodic at index.refresh_interval,
// forced by refresh=true, awaited by refresh=wait_for).
import { randomUUID } from 'node:crypto';
import { buildAnalyzers, KEYWORD, type Analyzer, type Token } from './analysis.js';
import { NANOS_MAX, NANOS_MIN, parseDateNanos } from './dates.js';
import { badRequest, EsError, illegal, indexNotFound, text } from './errors.js';

export interface FieldDef {
  type: string;
  analyzer?: string;
  search_analyzer?: string;
  null_value?: unknown;
  enabled?: boolean;
  format?: string;
  properties?: Record<string, FieldDef>;
}

export interface Doc {
  index: string;
  id: string;
  source: Record<string, unknown>;
  seqNo: number;
  version: number;
  bytes: number;
  visible: boolean;
  keywords: Map<string, string[]>;
  texts: Map<string, Token[]>;
  dates: Map<string, bigint[]>;
  numbers: Map<string, number[]>;
}

export interface TemplateBody {
  index_patterns: string[];
  priority?: number;
  version?: number;
  _meta?: unknown;
  composed_of?: string[];
  data_stream?: unknown;
  template?: { settings?: Record<string, unknown>; mappings?: Record<string, unknown>; aliases?: Record<string, unknown> };
}

const SUPPORTED_TYPES = new Set(['keyword', 'text', 'date_nanos', 'date', 'long', 'integer', 'boolean', 'flattened', 'object']);
const MAX_TERM_BYTES = 32766;

/** `index.refresh_interval` as ms; -1 turns periodic refresh off. */
function intervalMs(v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  const m = /^(-1|\d+)(ms|s|m)?$/.exec(text(v));
  if (!m) throw illegal(`failed to parse setting [index.refresh_interval] with value [${text(v)}] as a time value: unit is missing or unrecognized`);
  if (m[1] === '-1') return -1;
  return Number(m[1]) * (m[2] === 's' || m[2] === undefined ? 1000 : m[2] === 'm' ? 60_000 : 1);
}

/** `{index: {analysis}}`, `{analysis}` and `{"index.x": …}` alike, as `{index: {…}}`. */
export function normalizeSettings(settings: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings ?? {})) {
    if (k === 'index' && typeof v === 'object' && v !== null) Object.assign(out, v);
    else out[k.startsWith('index.') ? k.slice(6) : k] = v;
  }
  return out;
}

export function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[\\^$.|?+()[\]{}]/g, '\\$&')).join('.*')}$`, 's');
  return re.test(name);
}

export class Index {
  readonly uuid = randomUUID().replace(/-/g, '').slice(0, 22);
  readonly docs = new Map<string, Doc>();
  readonly fields = new Map<string, FieldDef>();
  readonly analyzers: Map<string, Analyzer>;
  readonly refreshMs: number;
  private nextSeqNo = 0;
  private timer: NodeJS.Timeout | undefined;
  private waiters: (() => void)[] = [];
  private readonly excludes: string[];

  constructor(
    readonly name: string,
    readonly settings: Record<string, unknown>,
    readonly mappings: Record<string, unknown>,
    defaultRefreshMs: number,
  ) {
    this.analyzers = buildAnalyzers((settings.analysis ?? {}));
    this.refreshMs = intervalMs(settings.refresh_interval, defaultRefreshMs);
    const source = (mappings._source ?? {}) as { excludes?: string[] };
    this.excludes = source.excludes ?? [];
    this.collect('', (mappings.properties ?? {}) as Record<string, FieldDef>);
  }

  private collect(prefix: string, props: Record<string, FieldDef>): void {
    for (const [name, def] of Object.entries(props)) {
      const path = prefix + name;
      const type = def.type ?? (def.properties ? 'object' : undefined);
      if (!type || !SUPPORTED_TYPES.has(type)) throw new EsError(400, 'mapper_parsing_exception', `No handler for type [${String(def.type)}] declared on field [${name}]`);
      if (type === 'text' && def.analyzer && !this.analyzers.has(def.analyzer)) throw new EsError(400, 'mapper_parsing_exception', `analyzer [${def.analyzer}] has not been configured in mappings`);
      this.fields.set(path, { ...def, type });
      if (type === 'object' && def.properties) this.collect(`${path}.`, def.properties);
    }
  }

  get dynamic(): string {
    return text(this.mappings.dynamic ?? 'true');
  }

  /** The field a query names: a mapped field, a keyed field of a flattened one (`fields.http.status`), or a metadata field. */
  fieldOf(path: string): { def: FieldDef; keyed?: string } | undefined {
    if (path === '_id' || path === '_index') return { def: { type: 'keyword' } };
    const def = this.fields.get(path);
    if (def) return { def };
    for (const [root, d] of this.fields) {
      if (d.type === 'flattened' && path.startsWith(`${root}.`)) return { def: d, keyed: path.slice(root.length + 1) };
    }
    return undefined;
  }

  analyzerOf(def: FieldDef, search = false): Analyzer {
    const name = (search ? def.search_analyzer : undefined) ?? def.analyzer ?? 'standard';
    return def.type === 'text' ? (this.analyzers.get(name) ?? KEYWORD) : KEYWORD;
  }

  /** Parses a document against the mappings, as the indexing path does; throws the 400 Elasticsearch answers. */
  parse(id: string, source: Record<string, unknown>): Omit<Doc, 'seqNo' | 'version' | 'visible'> {
    const doc: Omit<Doc, 'seqNo' | 'version' | 'visible'> = { index: this.name, id, source, bytes: 0, keywords: new Map(), texts: new Map(), dates: new Map(), numbers: new Map() };
    const add = <T>(m: Map<string, T[]>, k: string, v: T) => {
      const list = m.get(k);
      if (list) list.push(v);
      else m.set(k, [v]);
    };
    const term = (field: string, t: string) => {
      const bytes = Buffer.byteLength(t);
      if (bytes > MAX_TERM_BYTES) {
        throw illegal(`Document contains at least one immense term in field="${field}" (whose UTF8 encoding is longer than the max length ${MAX_TERM_BYTES}), all of which were skipped. Please correct the analyzer to not produce such terms. The prefix of the first immense term is: '${t.slice(0, 30)}...', original message: bytes can be at most ${MAX_TERM_BYTES} in length; got ${bytes}`);
      }
    };
    const bad = (field: string, type: string, value: unknown, cause?: string) =>
      new EsError(400, 'document_parsing_exception', `[1:2] failed to parse field [${field}] of type [${type}] in document with id '${id}'. Preview of field's value: '${JSON.stringify(value)?.slice(0, 40) ?? ''}'`, cause ? { caused_by: { type: 'illegal_argument_exception', reason: cause } } : {});
    const walk = (prefix: string, obj: Record<string, unknown>) => {
      for (const [k, v] of Object.entries(obj)) {
        const path = prefix + k;
        const def = this.fields.get(path);
        if (!def) {
          if (this.dynamic === 'strict') throw new EsError(400, 'strict_dynamic_mapping_exception', `[1:2] mapping set to strict, dynamic introduction of [${k}] within [${prefix ? prefix.slice(0, -1) : '_doc'}] is not allowed`);
          continue;
        }
        const values = Array.isArray(v) ? v : [v];
        for (const value of values) {
          if (value === null) {
            if (def.null_value !== undefined && def.type !== 'flattened') add(doc.keywords, path, text(def.null_value));
            continue;
          }
          switch (def.type) {
            case 'keyword': {
              if (typeof value === 'object') throw bad(path, 'keyword', value);
              const s = String(value);
              term(path, s);
              add(doc.keywords, path, s);
              break;
            }
            case 'text': {
              if (typeof value === 'object') throw bad(path, 'text', value);
              const tokens = this.analyzerOf(def)(String(value));
              for (const t of tokens) term(path, t.term);
              const prev = doc.texts.get(path) ?? [];
              // Values of an array are 100 positions apart (position_increment_gap), so a phrase never spans two.
              const base = prev.length ? prev[prev.length - 1]!.position + 101 : 0;
              doc.texts.set(path, [...prev, ...tokens.map((t) => ({ term: t.term, position: t.position + base }))]);
              break;
            }
            case 'date':
            case 'date_nanos': {
              const n = parseDateNanos(value);
              if (n === null) throw bad(path, def.type, value, `failed to parse date field [${String(value)}] with format [strict_date_optional_time${def.type === 'date_nanos' ? '_nanos' : ''}||epoch_millis]`);
              if (def.type === 'date_nanos' && n < NANOS_MIN) throw bad(path, def.type, value, `date[${String(value)}] is before the epoch in 1970 and cannot be stored in nanosecond resolution`);
              if (def.type === 'date_nanos' && n > NANOS_MAX) throw bad(path, def.type, value, `date[${String(value)}] is after 2262-04-11T23:47:16.854775807 and cannot be stored in nanosecond resolution`);
              add(doc.dates, path, n);
              break;
            }
            case 'long':
            case 'integer': {
              const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
              if (!Number.isFinite(n)) throw bad(path, def.type, value, `For input string: "${String(value)}"`);
              add(doc.numbers, path, Math.trunc(n));
              break;
            }
            case 'boolean':
              if (value !== true && value !== false && value !== 'true' && value !== 'false') throw bad(path, 'boolean', value, `Failed to parse value [${String(value)}] as only [true] or [false] are allowed.`);
              add(doc.keywords, path, String(value));
              break;
            case 'flattened': {
              if (typeof value !== 'object') throw bad(path, 'flattened', value, 'the flattened field expects an object');
              const leaf = (key: string, x: unknown, depth: number) => {
                if (depth > 20) throw bad(path, 'flattened', value, 'the provided [flattened] field exceeds the maximum depth limit of [20]');
                if (Array.isArray(x)) return x.forEach((e) => leaf(key, e, depth));
                if (x !== null && typeof x === 'object') return Object.entries(x as Record<string, unknown>).forEach(([kk, vv]) => leaf(key ? `${key}.${kk}` : kk, vv, depth + 1));
                const s = x === null ? (def.null_value === undefined ? undefined : text(def.null_value)) : text(x);
                if (s === undefined) return;
                term(path, s);
                add(doc.keywords, `${path}.${key}`, s);
                add(doc.keywords, path, s);
              };
              leaf('', value, 0);
              break;
            }
            case 'object':
              if (def.enabled === false) break;
              if (typeof value !== 'object') throw bad(path, 'object', value, `object mapping for [${path}] tried to parse field [${k}] as object, but found a concrete value`);
              walk(`${path}.`, value as Record<string, unknown>);
              break;
          }
        }
      }
    };
    walk('', source);
    const kept = { ...source };
    for (const ex of this.excludes) for (const k of Object.keys(kept)) if (globMatch(ex, k)) delete kept[k];
    doc.source = kept;
    doc.bytes = Buffer.byteLength(JSON.stringify(kept)) + 100;
    return doc;
  }

  put(parsed: Omit<Doc, 'seqNo' | 'version' | 'visible'>, version: number): Doc {
    const doc: Doc = { ...parsed, seqNo: this.nextSeqNo++, version, visible: false };
    this.docs.set(doc.id, doc);
    this.schedule();
    return doc;
  }

  delete(id: string): boolean {
    return this.docs.delete(id);
  }

  private schedule(): void {
    if (this.timer || this.refreshMs < 0) return;
    this.timer = setTimeout(() => this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  refresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const d of this.docs.values()) d.visible = true;
    for (const w of this.waiters.splice(0)) w();
  }

  /** refresh=wait_for: resolves once what is written now is visible. */
  whenVisible(): Promise<void> {
    if ([...this.docs.values()].every((d) => d.visible)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  visibleDocs(): Doc[] {
    return [...this.docs.values()].filter((d) => d.visible);
  }

  get storeBytes(): number {
    let n = 0;
    for (const d of this.docs.values()) n += d.bytes;
    return n;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.waiters.splice(0)) w();
  }
}

const INVALID_INDEX_CHARS = /[\\/*?"<>| ,#:]/;

export class IndexStore {
  readonly indices = new Map<string, Index>();
  readonly templates = new Map<string, TemplateBody>();

  constructor(
    private readonly defaultRefreshMs: number,
    readonly autoCreate: boolean,
  ) {}

  checkName(name: string): void {
    const why = name !== name.toLowerCase() ? 'must be lowercase' : INVALID_INDEX_CHARS.test(name) ? 'must not contain the following characters [\\, /, *, ?, ", <, >, |, #, :, space, comma]' : /^[-_+]/.test(name) ? "must not start with '_', '-', or '+'" : name === '.' || name === '..' ? "must not be '.' or '..'" : Buffer.byteLength(name) > 255 ? 'index name is too long' : '';
    if (why) throw new EsError(400, 'invalid_index_name_exception', `Invalid index name [${name}], ${why}`, { index_uuid: '_na_', index: name });
  }

  putTemplate(name: string, body: TemplateBody): void {
    if (!Array.isArray(body.index_patterns) || body.index_patterns.length === 0) throw new EsError(400, 'action_request_validation_exception', 'Validation Failed: 1: index patterns are missing;');
    for (const c of body.composed_of ?? []) throw new EsError(400, 'invalid_index_template_exception', `index_template [${name}] invalid, cause [index template [${name}] specifies component templates [${c}] that do not exist]`);
    const priority = body.priority ?? 0;
    for (const [other, t] of this.templates) {
      if (other === name || (t.priority ?? 0) !== priority) continue;
      const overlap = body.index_patterns.some((p) => t.index_patterns.some((q) => globMatch(p, q.replace(/\*/g, 'x')) || globMatch(q, p.replace(/\*/g, 'x'))));
      if (overlap) throw illegal(`index template [${name}] has index patterns ${JSON.stringify(body.index_patterns)} matching patterns from existing templates [${other}] with patterns (${other} => ${JSON.stringify(t.index_patterns)}) that have the same priority [${priority}], multiple index templates may not match during index creation, please use a different priority`);
    }
    // Elasticsearch validates a template by making an index from it.
    new Index('validate-template', normalizeSettings(body.template?.settings), body.template?.mappings ?? {}, -1).close();
    this.templates.set(name, body);
  }

  private templateFor(name: string): TemplateBody | undefined {
    let best: TemplateBody | undefined;
    for (const t of this.templates.values()) {
      if (t.index_patterns.some((p) => globMatch(p, name)) && (best === undefined || (t.priority ?? 0) > (best.priority ?? 0))) best = t;
    }
    return best;
  }

  create(name: string, body: { settings?: Record<string, unknown>; mappings?: Record<string, unknown> } = {}): Index {
    this.checkName(name);
    const existing = this.indices.get(name);
    if (existing) throw new EsError(400, 'resource_already_exists_exception', `index [${name}/${existing.uuid}] already exists`, { index_uuid: existing.uuid, index: name });
    const t = this.templateFor(name);
    const settings = { ...normalizeSettings(t?.template?.settings), ...normalizeSettings(body.settings) };
    const mappings = { ...(t?.template?.mappings ?? {}), ...(body.mappings ?? {}) };
    if (t?.template?.mappings?.properties || body.mappings?.properties) mappings.properties = { ...((t?.template?.mappings?.properties) ?? {}), ...((body.mappings?.properties) ?? {}) };
    const index = new Index(name, settings, mappings, this.defaultRefreshMs);
    this.indices.set(name, index);
    return index;
  }

  /** The index a write goes to, made from the templates when the cluster creates indices on write. */
  forWrite(name: string): Index {
    const i = this.indices.get(name);
    if (i) return i;
    if (!this.autoCreate) throw new EsError(404, 'index_not_found_exception', `no such index [${name}] and [action.auto_create_index] is [false]`, { 'resource.type': 'index_expression', 'resource.id': name, index_uuid: '_na_', index: name });
    return this.create(name);
  }

  /**
   * Index names from an expression: comma-separated names and `*` patterns. A missing concrete name is
   * a 404 unless ignoreUnavailable; a pattern that matches nothing is nothing.
   */
  resolve(expression: string | undefined, opts: { ignoreUnavailable?: boolean; allowWildcards?: boolean } = {}): Index[] {
    const parts = (expression ?? '_all').split(',').filter(Boolean);
    const out = new Map<string, Index>();
    for (const p of parts) {
      if (p === '_all' || p.includes('*')) {
        if (opts.allowWildcards === false) throw illegal(`Wildcard expressions or all indices are not allowed`);
        for (const [n, i] of this.indices) if (p === '_all' || globMatch(p, n)) out.set(n, i);
      } else {
        const i = this.indices.get(p);
        if (i) out.set(p, i);
        else if (!opts.ignoreUnavailable) throw indexNotFound(p);
      }
    }
    return [...out.values()];
  }

  drop(index: Index): void {
    index.close();
    this.indices.delete(index.name);
  }

  close(): void {
    for (const i of this.indices.values()) i.close();
  }
}

export function badDoc(reason: string): EsError {
  return badRequest('document_parsing_exception', reason);
}

// The test server's REST endpoints, each answering as Elasticsearch 9 does for the parameters it
// models; an unknown query parameter is a 400 (`contains unrecognized parameter`), as on a real node.
//
//   GET|HEAD /                                   cluster info
//   PUT|POST|GET|HEAD|DELETE /_index_template/N  composable index templates (GET also lists all)
//   PUT|GET|HEAD|DELETE /<index>                 create (templates applied), describe, exists, delete (no wildcards)
//   POST|PUT /_bulk, /<index>/_bulk              NDJSON create / index / delete, per-item statuses, refresh
//   GET|POST /_search, /<index>/_search          query DSL (query.ts), sort, search_after, _source, aggs (aggs.ts)
//   GET|POST /_count, /<index>/_count
//   POST /<index>/_delete_by_query               refresh, conflicts
//   GET|POST /_mget, /<index>/_mget              realtime
//   GET /<index>/_doc/<id>                       realtime get
//   GET /_cat/indices[/<index>]                  format=json, bytes=b, h=
//   GET /_stats, /<index>/_stats[/<metric>]      docs and store
//   POST|GET /_refresh, /<index>/_refresh
import { randomBytes } from 'node:crypto';
import { aggregate, type Scoped } from './aggs.js';
import { EsError, illegal, indexNotFound, parsing } from './errors.js';
import type { Faults } from './faults.js';
import { globMatch, type Index, type IndexStore, type TemplateBody } from './index-store.js';
import { compareSort, compileQuery, filterSource, parseSort, sortInput, sortOutput, sortValue } from './query.js';

export interface Request {
  method: string;
  path: string;
  segments: string[];
  query: URLSearchParams;
  body: Buffer;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** A text body (`_cat` without format=json). */
  text?: string;
}

export interface ServerState {
  store: IndexStore;
  faults: Faults;
  version: string;
  clusterName: string;
  clusterUuid: string;
}

const COMMON = ['pretty', 'human', 'error_trace', 'filter_path'];

function allow(req: Request, endpoint: string, allowed: string[]): void {
  for (const k of req.query.keys()) {
    if (!COMMON.includes(k) && !allowed.includes(k)) throw illegal(`request [${endpoint}] contains unrecognized parameter: [${k}]`);
  }
}

function json(req: Request): Record<string, unknown> {
  const text = req.body.toString('utf8');
  if (text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new EsError(400, 'x_content_parse_exception', `[1:1] Unexpected character: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw parsing('request body or source parameter is required');
  return v as Record<string, unknown>;
}

const bool = (v: string | null) => v === '' || v === 'true';

function info(s: ServerState): Reply {
  return {
    status: 200,
    body: {
      name: 'flotilla-test-node',
      cluster_name: s.clusterName,
      cluster_uuid: s.clusterUuid,
      version: { number: s.version, build_flavor: 'default', build_type: 'docker', build_hash: 'test', build_date: '2026-01-01T00:00:00.000Z', build_snapshot: false, lucene_version: '10.2.2', minimum_wire_compatibility_version: '8.19.0', minimum_index_compatibility_version: '8.0.0' },
      tagline: 'You Know, for Search',
    },
  };
}

function templateView(name: string, t: TemplateBody): Record<string, unknown> {
  return { name, index_template: { index_patterns: t.index_patterns, composed_of: t.composed_of ?? [], ...(t.template ? { template: t.template } : {}), ...(t.priority === undefined ? {} : { priority: t.priority }), ...(t.version === undefined ? {} : { version: t.version }), ...(t._meta === undefined ? {} : { _meta: t._meta }) } };
}

function templates(req: Request, s: ServerState, name: string | undefined): Reply {
  const store = s.store;
  if (req.method === 'PUT' || req.method === 'POST') {
    allow(req, `/_index_template/${name}`, ['create', 'master_timeout', 'cause']);
    if (!name) throw illegal('index template name is missing');
    if (bool(req.query.get('create')) && store.templates.has(name)) throw illegal(`index template [${name}] already exists`);
    const body = json(req) as unknown as TemplateBody;
    for (const k of Object.keys(body)) if (!['index_patterns', 'template', 'priority', 'version', '_meta', 'composed_of', 'data_stream', 'allow_auto_create', 'ignore_missing_component_templates', 'deprecated'].includes(k)) throw new EsError(400, 'x_content_parse_exception', `[1:2] [index_template] unknown field [${k}]`);
    store.putTemplate(name, body);
    return { status: 200, body: { acknowledged: true } };
  }
  allow(req, `/_index_template/${name ?? ''}`, ['local', 'master_timeout', 'flat_settings', 'include_defaults']);
  const found = [...store.templates].filter(([n]) => name === undefined || globMatch(name, n));
  if (req.method === 'DELETE') {
    if (!name || found.length === 0) throw new EsError(404, 'resource_not_found_exception', `index_template [${name ?? ''}] missing`);
    for (const [n] of found) store.templates.delete(n);
    return { status: 200, body: { acknowledged: true } };
  }
  if (found.length === 0 && name !== undefined && !name.includes('*')) {
    if (req.method === 'HEAD') return { status: 404 };
    throw new EsError(404, 'resource_not_found_exception', `index template matching [${name}] not found`);
  }
  if (req.method === 'HEAD') return { status: 200 };
  return { status: 200, body: { index_templates: found.map(([n, t]) => templateView(n, t)) } };
}

function indexDescription(i: Index): Record<string, unknown> {
  return { aliases: {}, mappings: i.mappings, settings: { index: { ...i.settings, number_of_shards: '1', number_of_replicas: '0', uuid: i.uuid, provided_name: i.name, version: { created: '9000000' } } } };
}

function indexOps(req: Request, s: ServerState, name: string): Reply {
  const store = s.store;
  switch (req.method) {
    case 'PUT': {
      allow(req, `/${name}`, ['wait_for_active_shards', 'timeout', 'master_timeout']);
      const body = json(req);
      for (const k of Object.keys(body)) if (!['settings', 'mappings', 'aliases'].includes(k)) throw parsing(`unknown key [${k}] for create index`);
      store.create(name, body);
      return { status: 200, body: { acknowledged: true, shards_acknowledged: true, index: name } };
    }
    case 'DELETE': {
      allow(req, `/${name}`, ['allow_no_indices', 'ignore_unavailable', 'expand_wildcards', 'timeout', 'master_timeout']);
      // action.destructive_requires_name defaults to true since 8.0.
      const targets = store.resolve(name, { allowWildcards: false, ignoreUnavailable: bool(req.query.get('ignore_unavailable')) });
      for (const i of targets) store.drop(i);
      return { status: 200, body: { acknowledged: true } };
    }
    case 'HEAD':
      allow(req, `/${name}`, ['allow_no_indices', 'ignore_unavailable', 'expand_wildcards', 'local', 'flat_settings', 'include_defaults']);
      try {
        return { status: store.resolve(name).length > 0 ? 200 : 404 };
      } catch {
        return { status: 404 };
      }
    case 'GET': {
      allow(req, `/${name}`, ['allow_no_indices', 'ignore_unavailable', 'expand_wildcards', 'flat_settings', 'include_defaults', 'local', 'master_timeout', 'features']);
      return { status: 200, body: Object.fromEntries(store.resolve(name).map((i) => [i.name, indexDescription(i)])) };
    }
    default:
      throw illegal(`Incorrect HTTP method for uri [/${name}] and method [${req.method}], allowed: [GET, HEAD, DELETE, PUT]`);
  }
}

const BULK_PARAMS = ['refresh', 'routing', 'timeout', 'wait_for_active_shards', 'pipeline', 'require_alias', 'require_data_stream', '_source', '_source_includes', '_source_excludes', 'list_executed_pipelines', 'include_source_on_error'];

/** The `_id`s the action lines of a bulk body name (every other line; a malformed one names none). */
function bulkActionIds(lines: readonly string[]): string[] {
  const ids: string[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    try {
      const action = Object.values(JSON.parse(lines[i] as string) as Record<string, { _id?: unknown }>)[0];
      if (typeof action?._id === 'string') ids.push(action._id);
    } catch {
      // the request is refused whole; its malformed lines name nothing
    }
  }
  return ids;
}

async function bulk(req: Request, s: ServerState, pathIndex: string | undefined): Promise<Reply> {
  allow(req, pathIndex ? `/${pathIndex}/_bulk` : '/_bulk', BULK_PARAMS);
  const started = Date.now();
  const text = req.body.toString('utf8');
  if (text.length > 0 && !text.endsWith('\n')) throw illegal('The bulk request must be terminated by a newline [\\n]');
  const lines = text.split('\n');
  lines.pop();
  if (s.faults.bulkRefused(() => bulkActionIds(lines))) {
    throw new EsError(429, 'es_rejected_execution_exception', 'rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1024, max_coordinating_and_primary_bytes=0]');
  }
  const refresh = req.query.get('refresh');
  const forced = refresh === '' || refresh === 'true';
  const items: Record<string, unknown>[] = [];
  const touched = new Set<Index>();
  const parseLine = (line: string, n: number): Record<string, unknown> => {
    try {
      const v: unknown = JSON.parse(line);
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // fall through to the refusal below
    }
    throw new EsError(400, 'x_content_parse_exception', `[1:1] Malformed action/metadata line [${n + 1}], expected START_OBJECT`);
  };
  for (let n = 0; n < lines.length; n++) {
    if (lines[n]!.trim() === '') continue;
    const action = parseLine(lines[n]!, n);
    const [op, rawMeta] = Object.entries(action)[0] ?? [];
    if (!op || !['create', 'index', 'delete', 'update'].includes(op)) throw illegal(`Malformed action/metadata line [${n + 1}], expected field [create], [delete], [index] or [update] but found [${op ?? ''}]`);
    if (op === 'update') throw illegal('the test server does not model bulk update');
    const meta = (rawMeta ?? {}) as { _index?: string; _id?: string };
    let source: Record<string, unknown> = {};
    if (op !== 'delete') {
      n++;
      if (n >= lines.length) throw illegal(`Validation Failed: 1: no requests added;`);
      source = parseLine(lines[n]!, n);
    }
    const index = meta._index ?? pathIndex;
    if (!index) throw new EsError(400, 'action_request_validation_exception', 'Validation Failed: 1: index is missing;');
    const id = meta._id ?? randomBytes(15).toString('base64url');
    const item = (status: number, extra: Record<string, unknown>) => items.push({ [op]: { _index: index, _id: id, status, ...extra } });
    try {
      if (op === 'delete') {
        const existed = s.store.indices.get(index)?.delete(id) ?? false;
        item(existed ? 200 : 404, { _version: 2, result: existed ? 'deleted' : 'not_found', _shards: { total: 1, successful: 1, failed: 0 }, _seq_no: 0, _primary_term: 1 });
        continue;
      }
      const target = s.store.forWrite(index);
      if (s.faults.itemRejected({ index, id, source })) throw new EsError(400, 'document_parsing_exception', "[1:2] failed to parse: the test server's fault rule rejected this document");
      if (s.faults.itemRefused({ index, id, source })) throw new EsError(429, 'es_rejected_execution_exception', `rejected execution of primary operation [shard_detail=[${index}][0][P], shard_coordinating_and_primary_bytes=0]`);
      const parsed = target.parse(id, source);
      const existing = target.docs.get(id);
      if (op === 'create' && existing) {
        throw new EsError(409, 'version_conflict_engine_exception', `[${id}]: version conflict, document already exists (current version [${existing.version}])`, { index_uuid: target.uuid, shard: '0', index });
      }
      const doc = target.put(parsed, (existing?.version ?? 0) + 1);
      touched.add(target);
      item(existing ? 200 : 201, { _version: doc.version, result: existing ? 'updated' : 'created', ...(forced ? { forced_refresh: true } : {}), _shards: { total: 1, successful: 1, failed: 0 }, _seq_no: doc.seqNo, _primary_term: 1 });
    } catch (e) {
      if (!(e instanceof EsError)) throw e;
      item(e.status, { error: e.item() });
    }
  }
  if (forced) for (const i of touched) i.refresh();
  else if (refresh === 'wait_for') await Promise.all([...touched].map((i) => i.whenVisible()));
  return { status: 200, body: { errors: items.some((i) => (Object.values(i)[0] as { status: number }).status >= 300), took: Date.now() - started, items } };
}

const SEARCH_BODY_KEYS = ['query', 'size', 'from', 'sort', 'search_after', '_source', 'track_total_hits', 'aggs', 'aggregations', 'timeout'];
const SEARCH_PARAMS = ['allow_no_indices', 'ignore_unavailable', 'expand_wildcards', 'typed_keys', 'rest_total_hits_as_int', 'size', 'from', 'track_total_hits', 'search_type', 'preference', 'routing', 'request_cache', 'batched_reduce_size', 'ccs_minimize_roundtrips', 'allow_partial_search_results', 'timeout', 'seq_no_primary_term', 'version', '_source', '_source_includes', '_source_excludes'];

function targets(req: Request, s: ServerState, pathIndex: string | undefined): Index[] {
  return s.store.resolve(pathIndex, { ignoreUnavailable: bool(req.query.get('ignore_unavailable')) });
}

function matching(indices: Index[], query: unknown): Scoped[] {
  return indices.flatMap((index) => {
    const p = compileQuery(query, index);
    return index.visibleDocs().filter(p).map((doc) => ({ doc, index }));
  });
}

function search(req: Request, s: ServerState, pathIndex: string | undefined): Reply {
  allow(req, pathIndex ? `/${pathIndex}/_search` : '/_search', SEARCH_PARAMS);
  const started = Date.now();
  const indices = targets(req, s, pathIndex);
  const body = json(req);
  for (const k of Object.keys(body)) if (!SEARCH_BODY_KEYS.includes(k)) throw parsing(`Unknown key for a START_OBJECT in [${k}].`);
  const size = Number(body.size ?? req.query.get('size') ?? 10);
  const from = Number(body.from ?? req.query.get('from') ?? 0);
  if (!Number.isInteger(size) || size < 0) throw illegal(`[size] parameter cannot be negative, found [${String(body.size)}]`);
  if (from + size > 10_000) throw illegal(`Result window is too large, from + size must be less than or equal to: [10000] but was [${from + size}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.`);
  const keys = parseSort(body.sort);
  const matched = matching(indices, body.query);
  let ordered = matched.map((m) => ({ ...m, values: keys.map((k) => sortValue(m.doc, k, m.index)) }));
  if (body.search_after !== undefined) {
    if (!Array.isArray(body.search_after)) throw parsing('[search_after] must be an array');
    if (keys.length === 0) throw illegal('Sort must contain at least one field.');
    if (body.search_after.length !== keys.length) throw illegal(`search_after has ${body.search_after.length} value(s) but sort has ${keys.length}.`);
    if (from > 0) throw illegal('[from] parameter must be set to 0 when [search_after] is used.');
    const ref = indices[0];
    if (ref) {
      const after = keys.map((k, i) => sortInput((body.search_after as unknown[])[i], k, ref));
      ordered = ordered.filter((o) => compareSort(o.values, after, keys) > 0);
    }
  }
  ordered.sort((a, b) => compareSort(a.values, b.values, keys) || (a.doc.index < b.doc.index ? -1 : a.doc.index > b.doc.index ? 1 : a.doc.seqNo - b.doc.seqNo));
  const page = ordered.slice(from, from + size);
  const tth = body.track_total_hits ?? (req.query.get('track_total_hits') === null ? undefined : req.query.get('track_total_hits') === 'true');
  const cap = tth === true ? Number.POSITIVE_INFINITY : typeof tth === 'number' ? tth : 10_000;
  const total = tth === false ? undefined : { value: Math.min(matched.length, cap), relation: matched.length > cap ? 'gte' : 'eq' };
  const aggs = body.aggs ?? body.aggregations;
  return {
    status: 200,
    body: {
      took: Date.now() - started,
      timed_out: false,
      _shards: { total: indices.length, successful: indices.length, skipped: 0, failed: 0 },
      hits: {
        ...(total ? { total } : {}),
        max_score: keys.length > 0 || page.length === 0 ? null : 1,
        hits: page.map((o) => {
          const source = filterSource(o.doc.source, body._source);
          return { _index: o.doc.index, _id: o.doc.id, _score: keys.length > 0 ? null : 1, ...(source === undefined ? {} : { _source: source }), ...(keys.length > 0 ? { sort: keys.map((k, i) => sortOutput(o.values[i] ?? null, k, o.index)) } : {}) };
        }),
      },
      ...(aggs === undefined ? {} : { aggregations: aggregate(aggs, matched, indices) }),
    },
  };
}

function count(req: Request, s: ServerState, pathIndex: string | undefined): Reply {
  allow(req, pathIndex ? `/${pathIndex}/_count` : '/_count', ['allow_no_indices', 'ignore_unavailable', 'expand_wildcards', 'routing', 'preference', 'min_score', 'terminate_after']);
  const indices = targets(req, s, pathIndex);
  const body = json(req);
  for (const k of Object.keys(body)) if (k !== 'query') throw parsing(`request does not support [${k}]`);
  return { status: 200, body: { count: matching(indices, body.query).length, _shards: { total: indices.length, successful: indices.length, skipped: 0, failed: 0 } } };
}

function deleteByQuery(req: Request, s: ServerState, pathIndex: string | undefined): Reply {
  if (!pathIndex) throw illegal('request [/_delete_by_query] needs an index');
  allow(req, `/${pathIndex}/_delete_by_query`, ['refresh', 'conflicts', 'wait_for_completion', 'slices', 'requests_per_second', 'scroll_size', 'allow_no_indices', 'ignore_unavailable', 'expand_wildcards', 'max_docs', 'timeout', 'wait_for_active_shards']);
  if (req.query.get('wait_for_completion') === 'false') throw illegal('the test server does not model delete-by-query tasks (wait_for_completion=false)');
  const started = Date.now();
  const indices = targets(req, s, pathIndex);
  const body = json(req);
  for (const k of Object.keys(body)) if (k !== 'query' && k !== 'max_docs') throw parsing(`Unknown key for a START_OBJECT in [${k}].`);
  if (body.query === undefined) throw new EsError(400, 'action_request_validation_exception', 'Validation Failed: 1: query is missing;');
  const hits = matching(indices, body.query);
  for (const h of hits) h.index.delete(h.doc.id);
  if (bool(req.query.get('refresh'))) for (const i of indices) i.refresh();
  return { status: 200, body: { took: Date.now() - started, timed_out: false, total: hits.length, deleted: hits.length, batches: Math.ceil(hits.length / 1000), version_conflicts: 0, noops: 0, retries: { bulk: 0, search: 0 }, throttled_millis: 0, requests_per_second: -1, throttled_until_millis: 0, failures: [] } };
}

function mget(req: Request, s: ServerState, pathIndex: string | undefined): Reply {
  allow(req, pathIndex ? `/${pathIndex}/_mget` : '/_mget', ['realtime', 'refresh', 'routing', 'preference', '_source', '_source_includes', '_source_excludes', 'stored_fields']);
  const body = json(req);
  const docs = Array.isArray(body.docs) ? (body.docs as { _index?: string; _id?: string; _source?: unknown }[]) : Array.isArray(body.ids) ? (body.ids as string[]).map((id): { _index?: string; _id?: string; _source?: unknown } => ({ _index: pathIndex, _id: id })) : null;
  if (!docs) throw new EsError(400, 'action_request_validation_exception', 'Validation Failed: 1: no documents to get;');
  const includes = req.query.get('_source_includes');
  return {
    status: 200,
    body: {
      docs: docs.map((d) => {
        const index = d._index ?? pathIndex;
        if (!index || d._id === undefined) throw new EsError(400, 'action_request_validation_exception', 'Validation Failed: 1: index is missing for doc 0;');
        const i = s.store.indices.get(index);
        if (!i) return { _index: index, _id: d._id, error: indexNotFound(index).item() };
        const doc = i.docs.get(d._id);
        if (!doc) return { _index: index, _id: d._id, found: false };
        const source = filterSource(doc.source, d._source ?? (includes === null ? undefined : includes.split(',')));
        return { _index: index, _id: d._id, _version: doc.version, _seq_no: doc.seqNo, _primary_term: 1, found: true, ...(source === undefined ? {} : { _source: source }) };
      }),
    },
  };
}

function human(bytes: number): string {
  if (bytes < 1024) return `${bytes}b`;
  const units = ['kb', 'mb', 'gb', 'tb'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number(v.toFixed(1))}${units[u]}`;
}

function catIndices(req: Request, s: ServerState, pathIndex: string | undefined): Reply {
  allow(req, '/_cat/indices', ['format', 'bytes', 'h', 's', 'v', 'health', 'pri', 'time', 'expand_wildcards', 'include_unloaded_segments', 'master_timeout', 'help']);
  const indices = s.store.resolve(pathIndex ?? '*');
  const bytes = req.query.get('bytes');
  const size = (n: number) => (bytes === 'b' ? String(n) : human(n));
  const rows = indices.map((i) => {
    const store = i.storeBytes;
    return { health: 'green', status: 'open', index: i.name, uuid: i.uuid, pri: '1', rep: '0', 'docs.count': String(i.visibleDocs().length), 'docs.deleted': '0', 'store.size': size(store), 'pri.store.size': size(store), 'dataset.size': size(store) };
  });
  const h = req.query.get('h');
  const cols = h ? h.split(',') : Object.keys(rows[0] ?? { health: 0, status: 0, index: 0, uuid: 0, pri: 0, rep: 0, 'docs.count': 0, 'docs.deleted': 0, 'store.size': 0, 'pri.store.size': 0, 'dataset.size': 0 });
  const picked = rows.map((r) => Object.fromEntries(cols.map((c) => [c, (r as Record<string, string>)[c] ?? null])));
  if (req.query.get('format') === 'json') return { status: 200, body: picked };
  const lines = [...(bool(req.query.get('v')) ? [cols] : []), ...picked.map((r) => cols.map((c) => r[c] ?? ''))];
  return { status: 200, text: lines.map((l) => `${l.join(' ')}\n`).join('') };
}

function stats(req: Request, s: ServerState, pathIndex: string | undefined): Reply {
  allow(req, '/_stats', ['level', 'expand_wildcards', 'completion_fields', 'fielddata_fields', 'fields', 'groups', 'include_segment_file_sizes', 'include_unloaded_segments', 'forbid_closed_indices']);
  const indices = s.store.resolve(pathIndex ?? '*');
  const one = (i: Index) => ({ docs: { count: i.visibleDocs().length, deleted: 0 }, store: { size_in_bytes: i.storeBytes, total_data_set_size_in_bytes: i.storeBytes, reserved_in_bytes: 0 } });
  const sum = indices.reduce((a, i) => ({ docs: { count: a.docs.count + i.visibleDocs().length, deleted: 0 }, store: { size_in_bytes: a.store.size_in_bytes + i.storeBytes, total_data_set_size_in_bytes: a.store.size_in_bytes + i.storeBytes, reserved_in_bytes: 0 } }), { docs: { count: 0, deleted: 0 }, store: { size_in_bytes: 0, total_data_set_size_in_bytes: 0, reserved_in_bytes: 0 } });
  return {
    status: 200,
    body: { _shards: { total: indices.length, successful: indices.length, failed: 0 }, _all: { primaries: sum, total: sum }, indices: Object.fromEntries(indices.map((i) => [i.name, { uuid: i.uuid, health: 'green', status: 'open', primaries: one(i), total: one(i) }])) },
  };
}

function refresh(req: Request, s: ServerState, pathIndex: string | undefined): Reply {
  allow(req, '/_refresh', ['allow_no_indices', 'ignore_unavailable', 'expand_wildcards']);
  const indices = targets(req, s, pathIndex);
  for (const i of indices) i.refresh();
  return { status: 200, body: { _shards: { total: indices.length, successful: indices.length, failed: 0 } } };
}

function getDoc(req: Request, s: ServerState, index: string, id: string): Reply {
  allow(req, `/${index}/_doc/${id}`, ['realtime', 'refresh', 'routing', 'preference', '_source', '_source_includes', '_source_excludes', 'stored_fields', 'version', 'version_type']);
  const i = s.store.indices.get(index);
  if (!i) throw indexNotFound(index);
  const doc = i.docs.get(id);
  if (!doc) return { status: 404, body: { _index: index, _id: id, found: false } };
  return { status: 200, body: { _index: index, _id: id, _version: doc.version, _seq_no: doc.seqNo, _primary_term: 1, found: true, _source: doc.source } };
}

const READ = ['GET', 'POST'];

export async function route(req: Request, s: ServerState): Promise<Reply> {
  const [a, b, c] = req.segments;
  const m = req.method;
  const noHandler = () => illegal(`no handler found for uri [${req.path}] and method [${m}]`);
  if (a === undefined) {
    if (m !== 'GET' && m !== 'HEAD') throw noHandler();
    return m === 'HEAD' ? { status: 200 } : info(s);
  }
  if (a === '_index_template' && c === undefined) return templates(req, s, b);
  if (a === '_bulk' && b === undefined && (m === 'POST' || m === 'PUT')) return bulk(req, s, undefined);
  if (a === '_search' && b === undefined && READ.includes(m)) return search(req, s, undefined);
  if (a === '_count' && b === undefined && READ.includes(m)) return count(req, s, undefined);
  if (a === '_mget' && b === undefined && READ.includes(m)) return mget(req, s, undefined);
  if (a === '_cat' && b === 'indices' && m === 'GET') return catIndices(req, s, c);
  if (a === '_stats' && m === 'GET') return stats(req, s, undefined);
  if (a === '_refresh' && b === undefined && READ.includes(m)) return refresh(req, s, undefined);
  if (a.startsWith('_')) throw noHandler();
  if (b === undefined) return indexOps(req, s, a);
  if (b === '_bulk' && c === undefined && (m === 'POST' || m === 'PUT')) return bulk(req, s, a);
  if (b === '_search' && c === undefined && READ.includes(m)) return search(req, s, a);
  if (b === '_count' && c === undefined && READ.includes(m)) return count(req, s, a);
  if (b === '_delete_by_query' && c === undefined && m === 'POST') return deleteByQuery(req, s, a);
  if (b === '_mget' && c === undefined && READ.includes(m)) return mget(req, s, a);
  if (b === '_stats' && m === 'GET') return stats(req, s, a);
  if (b === '_refresh' && c === undefined && READ.includes(m)) return refresh(req, s, a);
  if (b === '_doc' && c !== undefined && m === 'GET') return getDoc(req, s, a, c);
  throw noHandler();
}

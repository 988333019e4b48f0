// The Elasticsearch test server held to a real Elasticsearch 9 where the sink relies on one, through
// the official @elastic/elasticsearch client as the sink uses it: the product check, media types,
// errors, templates and strict mappings, refresh, bulk item statuses, the query DSL subset, sort and
// search_after, aggregations, deletion, and each injected fault.
import { Client, errors, type estypes } from '@elastic/elasticsearch';
import { afterEach, describe, expect, it } from 'vitest';
import { startElasticsearch, type EsServerOptions, type EsTestServer } from '../../harness/elasticsearch/server.js';

const running: { es: EsTestServer; client: Client }[] = [];

async function start(opts: EsServerOptions = {}): Promise<{ es: EsTestServer; client: Client }> {
  const es = await startElasticsearch({ refreshIntervalMs: 20, ...opts });
  const client = new Client({ node: es.url, maxRetries: 0, ...(es.ca ? { tls: { ca: es.ca } } : {}) });
  running.push({ es, client });
  return { es, client };
}

afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.client.close();
    await r.es.stop();
  }
});

const TEMPLATE = {
  index_patterns: ['logs-test-*'],
  priority: 300,
  template: {
    settings: { index: { analysis: { tokenizer: { words: { type: 'pattern', pattern: '[^\\p{L}\\p{N}]+' } }, analyzer: { words: { type: 'custom', tokenizer: 'words', filter: ['lowercase'] } } } } },
    mappings: {
      dynamic: 'strict',
      _source: { excludes: ['hidden'] },
      properties: { ts: { type: 'date_nanos' }, n: { type: 'long' }, k: { type: 'keyword' }, msg: { type: 'text', analyzer: 'words' }, f: { type: 'flattened', null_value: 'null' }, hidden: { type: 'keyword' } },
    },
  },
};

async function seeded(opts: EsServerOptions = {}) {
  const s = await start(opts);
  await s.client.indices.putIndexTemplate({ name: 'logs-test', ...TEMPLATE } as Parameters<Client['indices']['putIndexTemplate']>[0]);
  const docs = [
    { ts: '2026-03-01T00:00:00.000000001Z', n: 1, k: 'prod-eu', msg: 'Connection TIMEOUT after 30s', f: { 'http.status': 503, ok: false, note: null }, hidden: 'h1' },
    { ts: '2026-03-01T00:00:00.000000002Z', n: 2, k: 'prod-us', msg: 'timeout, connection closed', f: { 'http.status': 200 }, hidden: 'h2' },
    { ts: '2026-03-01T01:00:00Z', n: 3, k: 'staging', msg: 'all fine', f: {}, hidden: 'h3' },
  ];
  const r = await s.client.bulk({ refresh: true, operations: docs.flatMap((d, i) => [{ create: { _index: i < 2 ? 'logs-test-a' : 'logs-test-b', _id: `d${i}` } }, d]) });
  expect(r.errors).toBe(false);
  return s;
}

describe('Elasticsearch test server', () => {
  it('passes the client’s product check and answers in the client’s compatible media type', async () => {
    const { client } = await start();
    const r = await client.info({}, { meta: true });
    expect(r.headers['x-elastic-product']).toBe('Elasticsearch');
    expect(r.headers['content-type']).toBe('application/vnd.elasticsearch+json;compatible-with=9');
    expect(r.body.version.number).toMatch(/^9\./);
  });

  it('fails the product check without the header, as a proxy that drops it would', async () => {
    const { client } = await start({ productHeader: false });
    await expect(client.info()).rejects.toBeInstanceOf(errors.ProductNotSupportedError);
  });

  it('refuses a media type version it does not speak', async () => {
    const { es } = await start();
    const r = await fetch(`${es.url}/`, { headers: { accept: 'application/vnd.elasticsearch+json; compatible-with=7' } });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { type: string } }).error.type).toBe('media_type_header_exception');
  });

  it('asks for credentials when it has them, and takes an API key or a user', async () => {
    const { es } = await start({ auth: { apiKey: 'aWQ6a2V5', username: 'u', password: 'p' } });
    const anon = new Client({ node: es.url, maxRetries: 0 });
    const err = await anon.info().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(errors.ResponseError);
    expect((err as errors.ResponseError).statusCode).toBe(401);
    expect((err as errors.ResponseError).body).toMatchObject({ error: { type: 'security_exception' }, status: 401 });
    for (const auth of [{ apiKey: 'aWQ6a2V5' }, { username: 'u', password: 'p' }]) {
      const c = new Client({ node: es.url, maxRetries: 0, auth });
      expect((await c.info()).tagline).toBe('You Know, for Search');
      await c.close();
    }
    await anon.close();
  });

  it('serves TLS that the client verifies with the CA', async () => {
    const { client, es } = await start({ tls: true });
    expect(es.url).toMatch(/^https:/);
    expect((await client.info()).cluster_name).toBe('flotilla-test');
  });

  it('makes indices from the best template, on write and on request, and describes them', async () => {
    const { client } = await seeded();
    const got = await client.indices.getIndexTemplate({ name: 'logs-test' });
    expect(got.index_templates[0]?.index_template.index_patterns).toEqual(['logs-test-*']);
    await client.indices.create({ index: 'logs-test-c' });
    const described = await client.indices.get({ index: 'logs-test-c' });
    expect(described['logs-test-c']?.mappings?.dynamic).toBe('strict');
    const again = await client.indices.create({ index: 'logs-test-c' }).catch((e: unknown) => e);
    expect((again as errors.ResponseError).body).toMatchObject({ error: { type: 'resource_already_exists_exception' } });
    const bad = await client.indices.create({ index: 'Logs' }).catch((e: unknown) => e);
    expect((bad as errors.ResponseError).body).toMatchObject({ error: { type: 'invalid_index_name_exception' } });
    await expect(client.indices.getIndexTemplate({ name: 'nope' })).rejects.toMatchObject({ statusCode: 404 });
  });

  it('answers bulk items one by one: 201, 409 for a known id, 400 for what the mapping refuses', async () => {
    const { client } = await seeded();
    const r = await client.bulk({
      operations: [
        { create: { _index: 'logs-test-a', _id: 'd0' } },
        { ts: '2026-03-01T00:00:00Z', n: 1, k: 'x', msg: 'm', f: {} },
        { create: { _index: 'logs-test-a', _id: 'new' } },
        { ts: '2026-03-01T00:00:00Z', n: 9, k: 'x', msg: 'm', f: {} },
        { create: { _index: 'logs-test-a', _id: 'strict' } },
        { ts: '2026-03-01T00:00:00Z', unknown: 1 },
        { create: { _index: 'logs-test-a', _id: 'old' } },
        { ts: '1969-12-31T23:59:59Z' },
      ],
    });
    expect(r.errors).toBe(true);
    expect(r.items.map((i) => i.create?.status)).toEqual([409, 201, 400, 400]);
    expect(r.items[0]?.create?.error?.type).toBe('version_conflict_engine_exception');
    expect(r.items[2]?.create?.error?.type).toBe('strict_dynamic_mapping_exception');
    expect(r.items[3]?.create?.error?.caused_by?.reason).toMatch(/before the epoch in 1970/);
  });

  it('shows writes to searches only after a refresh; wait_for waits for one, mget does not', async () => {
    const { client } = await seeded({ refreshIntervalMs: 3_600_000 });
    await client.bulk({ operations: [{ create: { _index: 'logs-test-a', _id: 'late' } }, { ts: '2026-03-01T02:00:00Z', n: 4, k: 'x', msg: 'late', f: {} }] });
    expect((await client.count({ index: 'logs-test-*', query: { ids: { values: ['late'] } } })).count).toBe(0);
    expect((await client.mget({ docs: [{ _index: 'logs-test-a', _id: 'late' }] })).docs[0]).toMatchObject({ found: true });
    await client.indices.refresh({ index: 'logs-test-a' });
    expect((await client.count({ index: 'logs-test-*', query: { ids: { values: ['late'] } } })).count).toBe(1);
  });

  it('evaluates the query DSL the sink compiles to', async () => {
    const { client } = await seeded();
    const find = async (query: Record<string, unknown>) => (await client.search({ index: 'logs-test-*', query, sort: [{ n: 'asc' }] })).hits.hits.map((h) => h._id);
    expect(await find({ match_phrase: { msg: 'connection timeout' } })).toEqual(['d0']);
    expect(await find({ match_phrase: { msg: { query: 'TIMEOUT' } } })).toEqual(['d0', 'd1']);
    expect(await find({ prefix: { msg: { value: 'conn' } } })).toEqual(['d0', 'd1']);
    expect(await find({ wildcard: { k: { value: 'prod-*' } } })).toEqual(['d0', 'd1']);
    expect(await find({ wildcard: { k: { value: 'prod\\-u?' } } })).toEqual(['d1']);
    expect(await find({ terms: { k: ['staging', 'prod-eu'] } })).toEqual(['d0', 'd2']);
    expect(await find({ term: { 'f.http.status': '503' } })).toEqual(['d0']);
    expect(await find({ term: { 'f.note': 'null' } })).toEqual(['d0']);
    expect(await find({ bool: { must_not: [{ term: { k: 'staging' } }] } })).toEqual(['d0', 'd1']);
    expect(await find({ bool: { should: [{ term: { k: 'staging' } }, { term: { n: 1 } }], minimum_should_match: 1 } })).toEqual(['d0', 'd2']);
    expect(await find({ range: { ts: { gte: '2026-03-01T00:00:00.000000002Z', lt: '2026-03-01T01:00:00Z' } } })).toEqual(['d1']);
    expect(await find({ term: { hidden: 'h3' } })).toEqual(['d2']);
    expect(await find({ term: { nowhere: 'x' } })).toEqual([]);
    // As Elasticsearch: no wildcard queries on keyed flattened fields, no unknown queries.
    await expect(find({ wildcard: { 'f.http.status': { value: '5*' } } })).rejects.toMatchObject({ statusCode: 400 });
    await expect(find({ fuzzy: { k: 'prod' } })).rejects.toMatchObject({ statusCode: 400, body: { error: { type: 'parsing_exception' } } });
  });

  it('sorts with formatted nanosecond dates and pages with search_after; _source excludes and filters', async () => {
    const { client } = await seeded();
    const sort: estypes.SortCombinations[] = [{ ts: { order: 'desc', format: 'strict_date_optional_time_nanos' } }, { n: { order: 'desc' } }];
    const first = await client.search({ index: 'logs-test-*', sort, size: 2, _source: ['k'] });
    expect(first.hits.hits.map((h) => h.sort)).toEqual([
      ['2026-03-01T01:00:00.000Z', 3],
      ['2026-03-01T00:00:00.000000002Z', 2],
    ]);
    expect(first.hits.hits[0]?._source).toEqual({ k: 'staging' });
    const next = await client.search({ index: 'logs-test-*', sort, size: 2, search_after: first.hits.hits[1]!.sort!, track_total_hits: false });
    expect(next.hits.hits.map((h) => h._id)).toEqual(['d0']);
    expect(next.hits.total).toBeUndefined();
    expect(next.hits.hits[0]?._source).not.toHaveProperty('hidden');
    await expect(client.search({ index: 'logs-test-*', sort, search_after: ['2026-03-01T00:00:00Z'] })).rejects.toMatchObject({ statusCode: 400 });
    await expect(client.search({ index: 'logs-test-*', sort: [{ msg: 'asc' }] })).rejects.toMatchObject({ statusCode: 400 });
  });

  it('aggregates by date_histogram with an offset, terms (also on _index), min and max', async () => {
    const { client } = await seeded();
    const r = await client.search({
      index: 'logs-test-*',
      size: 0,
      aggs: {
        t: { date_histogram: { field: 'ts', fixed_interval: '30m', offset: '+10m', min_doc_count: 1 }, aggs: { k: { terms: { field: 'k' } } } },
        i: { terms: { field: '_index' }, aggs: { lo: { min: { field: 'ts', format: 'strict_date_optional_time_nanos' } }, hi: { max: { field: 'ts' } } } },
      },
    });
    const aggs = r.aggregations as Record<string, { buckets: Record<string, unknown>[] }>;
    expect(aggs.t!.buckets.map((b) => [b.key_as_string, b.doc_count])).toEqual([
      ['2026-02-28T23:40:00.000Z', 2],
      ['2026-03-01T00:40:00.000Z', 1],
    ]);
    expect(aggs.i!.buckets.map((b) => [b.key, b.doc_count, (b.lo as { value_as_string: string }).value_as_string])).toEqual([
      ['logs-test-a', 2, '2026-03-01T00:00:00.000000001Z'],
      ['logs-test-b', 1, '2026-03-01T01:00:00.000Z'],
    ]);
  });

  it('deletes by query and whole indices (never by wildcard), and reports sizes', async () => {
    const { client } = await seeded();
    const rows = await client.cat.indices({ index: 'logs-test-*', format: 'json', bytes: 'b', h: ['index', 'docs.count', 'store.size'] });
    expect(rows.map((r) => [r.index, r['docs.count']])).toEqual([
      ['logs-test-a', '2'],
      ['logs-test-b', '1'],
    ]);
    expect(Number(rows[0]!['store.size'])).toBeGreaterThan(0);
    expect((await client.deleteByQuery({ index: 'logs-test-a', query: { range: { n: { lt: 2 } } }, refresh: true })).deleted).toBe(1);
    await expect(client.indices.delete({ index: 'logs-test-*' })).rejects.toMatchObject({ statusCode: 400 });
    await client.indices.delete({ index: 'logs-test-b' });
    expect((await client.count({ index: 'logs-test-*' })).count).toBe(1);
    expect((await client.indices.stats({ index: 'logs-test-*' }))._all.primaries?.docs?.count).toBe(1);
    await expect(client.search({ index: 'logs-test-b' })).rejects.toMatchObject({ statusCode: 404, body: { error: { type: 'index_not_found_exception' } } });
    expect((await client.search({ index: 'nothing-*' })).hits.hits).toEqual([]);
  });

  it('refuses an unknown parameter as Elasticsearch does', async () => {
    const { es } = await start();
    const r = await fetch(`${es.url}/_search?sizes=1`);
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { reason: string } }).error.reason).toBe('request [/_search] contains unrecognized parameter: [sizes]');
  });

  it('injects 429s on bulk requests and items, item 400s and resets, and counts them', async () => {
    const { client, es } = await seeded();
    const op = (id: string, msg = 'm') => [{ create: { _index: 'logs-test-a', _id: id } }, { ts: '2026-03-01T00:00:00Z', n: 1, k: 'x', msg, f: {} }];
    es.faults.bulk429 = 1;
    await expect(client.bulk({ operations: op('q1') })).rejects.toMatchObject({ statusCode: 429, body: { error: { type: 'es_rejected_execution_exception' } } });
    es.faults.bulk429 = 0;
    es.faults.item429 = 0.5;
    es.faults.reject = (item) => item.source.msg === 'poison';
    const r = await client.bulk({ operations: [...op('q2'), ...op('q3'), ...op('q4', 'poison')] });
    expect(r.items.map((i) => i.create?.status)).toEqual([201, 429, 400]);
    es.faults.clear();
    es.faults.resetNext(1, 'after');
    await expect(client.bulk({ operations: op('q5') })).rejects.toBeInstanceOf(errors.ConnectionError);
    expect((await client.mget({ docs: [{ _index: 'logs-test-a', _id: 'q5' }] })).docs[0]).toMatchObject({ found: true });
    es.faults.resetNext(1, 'before');
    await expect(client.bulk({ operations: op('q6') })).rejects.toBeInstanceOf(errors.ConnectionError);
    expect((await client.mget({ docs: [{ _index: 'logs-test-a', _id: 'q6' }] })).docs[0]).toMatchObject({ found: false });
    expect(es.faults.counts).toMatchObject({ bulk429: 1, item429: 1, rejected: 1, resets: 2 });
  });
});

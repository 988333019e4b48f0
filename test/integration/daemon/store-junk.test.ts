/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- JSON bodies are checked by assertions, not by types */
// A store full of what no agent writes: thousands of junk files, a directory of them, symlinks out of
// the store (at a key and as a cluster directory), a FIFO and a directory where files belong. The
// daemon records each once, reads none of them, keeps its poll to the known keys between listings
// (counted in store operations, not timed), and keeps serving.
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeKeys } from '../../../core/store/types.js';
import { DISCOVER_EVERY } from '../../../daemon/sync/discovery.js';
import { FakeAgent, makeStatusReport } from '../../harness/fake-agent.js';
import { metricValue } from '../../harness/prom-text.js';
import { waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { startFixture, type Fixture } from './fixture.js';

const JUNK_FILES = 2000;
const JUNK_TOP = 200;
const JUNK_IN_DIR = 500;

let fx: Fixture;
beforeEach(async () => {
  fx = await startFixture();
});
afterEach(async () => {
  await fx.daemon.stop();
});
afterAll(cleanupTempDirs);

/** Counters and their labels from /metrics, e.g. value('flotilla_store_polls_total', { kind: 'listing' }). */
/** A reader of one /metrics scrape: a counter summed over the samples that carry the labels asked for. */
async function metrics(): Promise<(name: string, labels?: Record<string, string>) => number> {
  const text = await (await fetch(`${fx.daemon.url}/metrics`)).text();
  return (name, labels) => metricValue(text, name, labels);
}

async function registered(name: string): Promise<FakeAgent> {
  const agent = new FakeAgent(await fx.addCluster(name), fx.store);
  await agent.register();
  await waitUntil(async () => (await fx.api('GET', `/api/v1/clusters/${name}`)).body.row.registration === 'registered', { what: `${name} registered` });
  return agent;
}

describe('daemon store sync in a junk-filled store', () => {
  it('records every entry that is not an object of the key space once, reads none, stays cheap and keeps serving', async () => {
    const root = fx.config.store.type === 'dir' ? fx.config.store.path : '';
    const outside = tempDir('flotilla-outside-');
    const alpha = await registered('alpha');
    const beta = await registered('beta');
    const gamma = await registered('gamma');
    await fx.addCluster('delta');
    await alpha.report();
    await waitUntil(async () => (await fx.api('GET', '/api/v1/clusters/alpha')).body.row.reportedAt, { what: 'alpha reported' });

    // Validly signed reports, but reached only through links: never to be read, let alone accepted.
    writeFileSync(join(outside, 'beta-status.json'), beta.statusEnvelope(makeStatusReport('beta', 50)));
    symlinkSync(join(outside, 'beta-status.json'), join(root, 'clusters', 'beta', 'status.json'));
    renameSync(join(root, 'clusters', 'gamma'), join(outside, 'gamma'));
    symlinkSync(join(outside, 'gamma'), join(root, 'clusters', 'gamma'));
    writeFileSync(join(outside, 'gamma', 'status.json'), gamma.statusEnvelope(makeStatusReport('gamma', 50)));
    mkdirSync(join(root, 'clusters', 'delta'), { recursive: true });
    execFileSync('mkfifo', [join(root, 'clusters', 'delta', 'status.json')]);
    mkdirSync(join(root, 'clusters', 'delta', 'registration.json'));
    for (let i = 0; i < JUNK_FILES; i++) writeFileSync(join(root, 'clusters', 'alpha', `junk-${i}.txt`), `junk ${i}`);
    for (let i = 0; i < JUNK_TOP; i++) writeFileSync(join(root, 'clusters', `readme-${i}.txt`), `junk ${i}`);
    // Filled before it moves in, so the daemon sees one version of it.
    mkdirSync(join(outside, 'notes'));
    for (let i = 0; i < JUNK_IN_DIR; i++) writeFileSync(join(outside, 'notes', `n-${i}.txt`), `note ${i}`);
    renameSync(join(outside, 'notes'), join(root, 'clusters', 'alpha', 'notes'));
    writeFileSync(join(root, 'clusters', 'alpha', 'bad name.json'), 'x');

    // Each junk file, the junk directory (once, not its files) and the bad name are unknown names;
    // beta's link, gamma's two keys behind its linked directory and that link itself, delta's FIFO
    // and its directory named registration.json are not files.
    const unknownNames = JUNK_FILES + JUNK_TOP + 1 + 1;
    const notFiles = 1 + 3 + 2;
    await waitUntil(
      async () => {
        const m = await metrics();
        return m('flotilla_store_rejections_total', { reason: 'unknown_name' }) === unknownNames && m('flotilla_store_rejections_total', { reason: 'not_a_file' }) === notFiles;
      },
      { what: 'every entry recorded', timeoutMs: 30_000 },
    );
    const audit = (await fx.api('GET', '/api/v1/audit?limit=10000')).body.items.filter((a: any) => a.action === 'store.reject');
    expect(audit.filter((a: any) => a.detail.reason === 'not_a_file')).toHaveLength(notFiles);
    expect(audit.filter((a: any) => a.detail.reason === 'unknown_name')).toHaveLength(unknownNames);
    const recorded = (await Promise.all(['beta', 'gamma', 'delta'].map(async (c) => (await fx.api('GET', `/api/v1/rejections?cluster=${c}`)).body.items))).flat();
    expect(recorded.filter((r: any) => r.reason === 'not_a_file').map((r: any) => r.key).sort()).toEqual(
      ['clusters/beta/status.json', 'clusters/delta/registration.json', 'clusters/delta/status.json', 'clusters/gamma', storeKeys.registration('gamma'), storeKeys.status('gamma')].sort(),
    );
    expect(audit.find((a: any) => a.target === 'clusters/alpha/notes/')).toMatchObject({ allowed: false, detail: { reason: 'unknown_name', cluster: 'alpha' } });
    expect(audit.some((a: any) => String(a.target).startsWith('clusters/alpha/notes/n-'))).toBe(false);

    // Several listings later: nothing recorded twice, nothing read, and between listings each poll
    // asks the store for the four clusters' two keys and nothing else.
    const before = await metrics();
    const listings = before('flotilla_store_polls_total', { kind: 'listing' });
    await waitUntil(async () => (await metrics())('flotilla_store_polls_total', { kind: 'listing' }) >= listings + 3, { what: 'three more listings', timeoutMs: 30_000 });
    const after = await metrics();
    const delta = (name: string, labels: Record<string, string>) => after(name, labels) - before(name, labels);
    const polls = delta('flotilla_store_polls_total', { kind: 'listing' }) + delta('flotilla_store_polls_total', { kind: 'known' });
    expect(after('flotilla_store_rejections_total', { reason: 'unknown_name' })).toBe(unknownNames);
    expect(after('flotilla_store_rejections_total', { reason: 'not_a_file' })).toBe(notFiles);
    expect(delta('flotilla_store_requests_total', { op: 'get' })).toBe(0);
    // A poll's requests are counted as they are made and the poll when it ends, so a poll in flight at
    // either scrape may be counted on one side only: at most one apart, never more.
    const heads = delta('flotilla_store_requests_total', { op: 'headMany' });
    expect(Math.abs(heads - polls)).toBeLessThanOrEqual(1);
    expect(delta('flotilla_store_request_entries_total', { op: 'headMany' })).toBe(heads * 8);
    expect(Math.abs(delta('flotilla_store_requests_total', { op: 'list' }) - delta('flotilla_store_polls_total', { kind: 'listing' }))).toBeLessThanOrEqual(1);
    expect(delta('flotilla_store_polls_total', { kind: 'listing' }) * DISCOVER_EVERY).toBeLessThanOrEqual(polls + DISCOVER_EVERY);

    // Still serving, still accepting alpha; the linked reports never counted.
    expect((await fx.api('GET', '/healthz')).status).toBe(200);
    await alpha.report({ crashLoops: 2 });
    await waitUntil(async () => (await fx.api('GET', '/api/v1/clusters/alpha')).body.row.reasons.includes('2 pods CrashLoopBackOff'), { what: 'alpha accepted' });
    const rows = (await fx.api('GET', '/api/v1/clusters')).body.items;
    expect(rows.find((r: any) => r.name === 'beta').reportedAt).toBeNull();
    expect(rows.find((r: any) => r.name === 'gamma').reportedAt).toBeNull();
  });
});

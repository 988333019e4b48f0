// `flotilla audit verify` and `audit export` through the built CLI against a real daemon: the chain
// verifies through the daemon and straight from the data directory; export pages oldest first as
// JSON lines (every record for a fleet-wide admin, its own for anyone else, `--since` narrowing);
// a token's secret appears in no log line, audit record or error; then a row edited in the
// registry's audit table is found by both, naming the record (exit 70); a viewer may not ask the
// daemon to verify (77).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../core/api.js';
import { startControlPlane } from '../../harness/control-plane.js';
import { assertBuilt, killAll, runCli, type Proc } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

let env: NodeJS.ProcessEnv;
let daemon: Proc;
let dataDir: string;
let work: string;

const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, { env: { ...env, ...extra }, cwd: work });
const jsonLines = (text: string) => text.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as AuditRecord);

beforeAll(async () => {
  assertBuilt();
  work = tempDir();
  dataDir = join(work, 'cp');
  ({ daemon, env } = await startControlPlane(dataDir));
  // Some history to verify and export.
  for (let i = 0; i < 5; i += 1) expect((await cli(['cluster', 'add', `aud-${i}`, '--out', `aud-${i}.yaml`])).code).toBe(0);
});

afterAll(async () => {
  await daemon?.stop();
  killAll();
  cleanupTempDirs();
});

describe('flotilla audit', () => {
  it('verifies through the daemon and from the data directory, and exports oldest first as JSON lines', async () => {
    const viaDaemon = await cli(['audit', 'verify']);
    expect(viaDaemon.code, viaDaemon.stderr).toBe(0);
    expect(viaDaemon.stderr).toMatch(/^audit chain verifies: \d+ records\n$/);
    const offline = await cli(['audit', 'verify', '--data', dataDir, '--json']);
    expect(offline.code, offline.stderr).toBe(0);
    expect(JSON.parse(offline.stdout)).toMatchObject({ ok: true });

    const all = jsonLines((await cli(['audit', 'export', '--json'])).stdout);
    expect(all.map((r) => r.seq)).toEqual(all.map((_, i) => i + 1));
    expect(all.filter((r) => r.action === 'cluster.add').map((r) => r.target)).toEqual(['aud-0', 'aud-1', 'aud-2', 'aud-3', 'aud-4']);
    expect((await cli(['audit', 'export'])).stdout.split('\n')[0]).toMatch(/^1 {2}\d{4}-\S+Z {2}flotilla init \(init\) {2}token\.create {2}admin {2}allowed$/);
    expect(jsonLines((await cli(['audit', 'export', '--json', '--since', '1h'])).stdout)).toHaveLength(all.length);
    // The pages export walks: oldest first from after, `next` to go on from, null at the end.
    const page = async (after: number) => (await (await fetch(`${env.FLOTILLA_SERVER as string}/api/v1/audit?after=${after}&limit=2`, { headers: { authorization: `Bearer ${env.FLOTILLA_TOKEN as string}` } })).json()) as { items: AuditRecord[]; next: string | null };
    const first = await page(0);
    expect([first.items.map((r) => r.seq), first.next]).toEqual([[1, 2], '2']);
    const last = await page(all.length - 1);
    expect([last.items.map((r) => r.seq), last.next]).toEqual([[all.length], null]);

    // A viewer exports its own records only, and may not ask the daemon to verify.
    const created = await cli(['token', 'create', '--role', 'viewer', '--name', 'aud-viewer']);
    const asViewer = { FLOTILLA_TOKEN: created.stdout.trim() };
    expect((await cli(['cluster', 'add', 'nope', '--out', 'nope.yaml'], asViewer)).code).toBe(77);
    const own = jsonLines((await cli(['audit', 'export', '--json'], asViewer)).stdout);
    expect(own.map((r) => [r.action, r.allowed, r.actor.name])).toEqual([['cluster.add', false, 'aud-viewer']]);
    const verifyAsViewer = await cli(['audit', 'verify'], asViewer);
    expect(verifyAsViewer.code).toBe(77);
    expect(verifyAsViewer.stderr).toMatch(/audit.verify needs the admin role/);
  });

  it("never writes a token's secret: not in the daemon log, the audit or an error, even sent as a bad bearer", async () => {
    const created = await cli(['token', 'create', '--role', 'operator', '--scope', 'team=x', '--name', 'leak-check']);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^flt_/);
    // used, refused beyond its scope, and sent mangled so the daemon logs a refusal of it
    expect((await cli(['cluster', 'list'], { FLOTILLA_TOKEN: secret })).code).toBe(0);
    expect((await cli(['cluster', 'label', 'aud-0', 'team=x'], { FLOTILLA_TOKEN: secret })).code).toBe(77);
    const mangled = await cli(['cluster', 'list'], { FLOTILLA_TOKEN: `${secret}x` });
    expect(mangled.code).toBe(77);
    expect(mangled.stderr).not.toContain(secret);
    const written = [readFileSync(join(dataDir, 'daemon.log'), 'utf8'), (await cli(['audit', 'export', '--json'])).stdout];
    for (const text of written) expect(text).not.toContain(secret.slice(4));
  });

  it('finds a row edited in the registry, naming the record, through the daemon and from the data directory (70)', async () => {
    const db = new Database(join(dataDir, 'registry.db'));
    db.prepare("UPDATE audit SET target = 'someone-else' WHERE seq = 3").run();
    db.close();
    for (const args of [['audit', 'verify'], ['audit', 'verify', '--data', dataDir]]) {
      const r = await cli(args);
      expect(r.code).toBe(70);
      expect(r.stderr).toMatch(/^error: the audit chain breaks at record 3 \(hash does not match the record content\); the 2 records before it verify\nnext: .*flotilla restore --list/);
    }
  });
});

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are checked by assertions, not by types */
// A daemon process SIGKILLed right after it acked log batches loses none of them: the sink commits
// before the ack. A real `flotilla daemon` process (needs `npm run build`), a cluster registered
// through the store, signed batches posted, SIGKILL, a new daemon on the same data dir.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirStore } from '../../../core/store/dir.js';
import { initControlPlane, isolatedEnv, startDaemonProcess } from '../../harness/control-plane.js';
import { FakeAgent } from '../../harness/fake-agent.js';
import { assertBuilt, killAll, waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { makeBatch, makeLines, sealBatch } from '../../fixtures/logs/batches.js';

afterAll(() => {
  killAll();
  cleanupTempDirs();
});

describe('log ingest across a SIGKILL', () => {
  it('keeps every acked record', async () => {
    assertBuilt();
    const dataDir = tempDir('flotilla-logs-kill-');
    const env = isolatedEnv();
    const { token, configPath } = await initControlPlane(dataDir, env);
    const api = async (url: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { status: res.status, body: (await res.json()) as any };
    };
    let { daemon, url } = await startDaemonProcess(configPath, env);
    const added = await api(url, 'POST', '/api/v1/clusters', { name: 'alpha' });
    expect(added.status).toBe(201);
    const agent = new FakeAgent(added.body.bundle, new DirStore(join(dataDir, 'store')));
    await agent.register();
    await waitUntil(async () => (await api(url, 'GET', '/api/v1/clusters/alpha')).body.row.registration === 'registered', { what: 'alpha registered' });

    const acked: string[] = [];
    for (let b = 0; b < 10; b++) {
      const records = makeLines('alpha', b * 200, (b + 1) * 200);
      const res = await fetch(`${url}/api/v1/ingest/logs`, { method: 'POST', body: sealBatch(makeBatch('alpha', records), agent.key) });
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).stored).toBe(200);
      acked.push(...records.map((r) => r.id));
    }
    const killed = await daemon.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');

    ({ daemon, url } = await startDaemonProcess(configPath, env));
    const found = new Set<string>();
    let before = '';
    for (;;) {
      const page = await api(url, 'GET', `/api/v1/logs?q=cluster:alpha&limit=1000&before=${encodeURIComponent(before)}`);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      for (const r of page.body.items) found.add(r.id);
      if (!page.body.next) break;
      before = page.body.next;
    }
    expect(found.size).toBe(acked.length);
    expect(acked.every((id) => found.has(id))).toBe(true);
    await daemon.stop();
  });
});

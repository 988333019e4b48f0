// The central file_sd writer (daemon/monitoring/file-sd.ts) with an injected write: it adopts the file
// already there, writes only content that changed, coalesces a burst of changes into the last state,
// and tries a failed write again until it lands.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../core/log.js';
import { parseMonitoringSettings, type MonitoringSettings } from '../../../../core/metrics/monitoring.js';
import { FederationFileSd } from '../../../../daemon/monitoring/file-sd.js';
import { waitUntil } from '../../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';

afterAll(cleanupTempDirs);

function fleet() {
  const clusters = new Map<string, MonitoringSettings | null>();
  return { clusters, list: () => [...clusters].map(([name, monitoring]) => ({ name, monitoring })) };
}

describe('the central file_sd writer', () => {
  it('adopts an identical file, writes only changes, and ends on the last state of a burst', async () => {
    const path = join(tempDir(), 'clusters.json');
    writeFileSync(path, '[]\n');
    const f = fleet();
    const writes: string[] = [];
    const sd = new FederationFileSd({ path, clusters: f.list, log: silentLogger(), write: (_p, c) => Promise.resolve(void writes.push(c)) });
    await sd.start();
    expect(writes).toEqual([]);
    f.clusters.set('a', null);
    sd.refresh();
    await sd.settled();
    expect(writes).toEqual([]);
    for (const port of [9001, 9002, 9003]) {
      f.clusters.set('a', parseMonitoringSettings({ federateTarget: `edge-a:${port}` }));
      sd.refresh();
    }
    await sd.settled();
    expect(writes.length).toBeLessThanOrEqual(2);
    expect(JSON.parse(writes.at(-1) ?? '')).toEqual([{ targets: ['edge-a:9003'], labels: { cluster: 'a' } }]);
    await sd.stop();
  });

  it('tries a failed write again', async () => {
    const f = fleet();
    f.clusters.set('b', parseMonitoringSettings({ federateTarget: 'edge-b:9090' }));
    let fail = 2;
    const writes: string[] = [];
    const sd = new FederationFileSd({
      path: join(tempDir(), 'sub', 'clusters.json'),
      clusters: f.list,
      log: silentLogger(),
      retryMs: 10,
      write: (_p, c) => (fail-- > 0 ? Promise.reject(new Error('EACCES')) : Promise.resolve(void writes.push(c))),
    });
    await sd.start();
    await waitUntil(() => writes.length === 1, { what: 'the write to land', timeoutMs: 2000, intervalMs: 5 });
    expect(JSON.parse(writes[0] ?? '')).toEqual([{ targets: ['edge-b:9090'], labels: { cluster: 'b' } }]);
    await sd.stop();
  });
});

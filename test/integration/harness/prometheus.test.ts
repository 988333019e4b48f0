// The Prometheus harness itself: Debian's prometheus starts on a free port with its own data, scrapes
// a target, reloads a new config, and stops by pid.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../harness/proc.js';
import { startPrometheus, type PrometheusServer } from '../../harness/prometheus.js';
import { cleanupTempDirs } from '../../harness/tmp.js';

let target: Server;
let targetPort: number;
let prom: PrometheusServer;

const config = (job: string) => `global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n  - job_name: ${job}\n    static_configs: [{targets: ['127.0.0.1:${targetPort}']}]\n`;

beforeAll(async () => {
  target = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end('# TYPE test_value gauge\ntest_value 42\n');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetPort = (target.address() as { port: number }).port;
  prom = await startPrometheus({ config: config('first') });
}, 90_000);

afterAll(async () => {
  await prom?.stop();
  await new Promise<void>((r) => target.close(() => r()));
  cleanupTempDirs();
});

describe('the Prometheus harness', () => {
  it('scrapes its target, takes a reloaded config, and stops by pid', async () => {
    const value = await waitUntil(async () => {
      const r = await prom.api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>('query?query=test_value');
      return r.result[0];
    }, { what: 'the scraped value', timeoutMs: 30_000, intervalMs: 250 });
    expect(value.metric).toMatchObject({ job: 'first' });
    expect(value.value[1]).toBe('42');
    await prom.reload(config('second'));
    await waitUntil(async () => ((await prom.api<{ result: unknown[] }>('query?query=test_value{job="second"}')).result.length > 0 ? true : undefined), { what: 'the reloaded job', timeoutMs: 30_000, intervalMs: 250 });
    const pid = prom.pid as number;
    await prom.stop();
    expect(() => process.kill(pid, 0)).toThrow();
  });
});

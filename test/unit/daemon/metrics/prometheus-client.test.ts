// The Prometheus client on its own against servers that misbehave: slow, not JSON, an error; and how
// Prometheus's samples become the range's steps.
import { createServer, type Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { prometheusClient } from '../../../../daemon/metrics/prometheus-client.js';
import { promPoints, promQueryFor } from '../../../../daemon/metrics/prometheus-queries.js';

const servers: Server[] = [];
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
}
afterAll(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

describe('prometheusClient', () => {
  it('gives up on a slow Prometheus after its timeout, and refuses garbage and errors, each as unavailable', async () => {
    const slow = await serve(() => undefined);
    await expect(prometheusClient({ url: slow, timeoutMs: 200 }).queryRange('up', 0, 1, 1)).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/timed out after 200 ms$/) });
    const garbage = await serve((_q, res) => res.end('<html>proxy error</html>'));
    await expect(prometheusClient({ url: garbage, timeoutMs: 2000 }).queryRange('up', 0, 1, 1)).rejects.toMatchObject({ message: expect.stringMatching(/200 with a body that is not JSON$/) });
    const failing = await serve((_q, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 3' }));
    });
    await expect(prometheusClient({ url: failing, timeoutMs: 2000 }).queryRange('up{', 0, 1, 1)).rejects.toMatchObject({ message: expect.stringMatching(/400 parse error at char 3$/), next: expect.stringMatching(/metrics\.prometheus\.url/) });
    const broken = await serve((_q, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal server error');
    });
    await expect(prometheusClient({ url: broken, timeoutMs: 2000 }).query('up', 1)).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/did not answer: 500 with a body that is not JSON$/) });
    const overloaded = await serve((_q, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'too many queries' }));
    });
    await expect(prometheusClient({ url: overloaded, timeoutMs: 2000 }).queryRange('up', 0, 1, 1)).rejects.toMatchObject({ message: expect.stringMatching(/503 too many queries$/) });
    // An instant query answered with a matrix is not what was asked.
    const wrongShape = await serve((_q, res) => res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } })));
    await expect(prometheusClient({ url: wrongShape, timeoutMs: 2000 }).query('up', 1)).rejects.toMatchObject({ message: expect.stringMatching(/an answer that is not a vector$/) });
  });
});

describe('the queries and points', () => {
  it('asks the recording rule that stands for a series, one cluster, one series; none for a series no rule records', () => {
    expect(promQueryFor('pods_pending', 'a')).toBe('max(cluster:pods_by_phase:count{cluster="a", phase="Pending"})');
    expect(promQueryFor('warning_events', 'a')).toBeUndefined();
  });

  it('puts each sample in its step and leaves the others null', () => {
    expect(promPoints([[10, '1'], [30, '3'], [40, 'NaN']], 10_000, 40_000, 10_000)).toEqual([
      [10_000, 1, 1],
      [20_000, null, null],
      [30_000, 3, 3],
      [40_000, null, null],
    ]);
  });
});

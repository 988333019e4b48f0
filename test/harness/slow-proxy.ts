// An HTTP proxy that holds every response for a while after the upstream has answered. In front of the
// Kubernetes API test server it makes each executor call slow, so a SIGKILL lands between a write the
// server has already applied and the agent seeing its answer — the crash window exactly-once is about.
// The request itself is forwarded at once: like a real API server, the effect does not wait for the
// client, and a client that dies mid-request leaves no half-sent write behind.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlowProxy {
  url: string;
  /** Every request forwarded, as "METHOD /path?query", so a test can count what a client sent. */
  requests: string[];
  close(): Promise<void>;
}

export async function startSlowProxy(upstream: string, responseDelayMs: number): Promise<SlowProxy> {
  const target = new URL(upstream);
  const timers = new Set<NodeJS.Timeout>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (res.destroyed) return;
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          res.end(Buffer.concat(chunks));
        }, responseDelayMs);
        timers.add(timer);
      });
    });
    up.on('error', () => {
      if (!res.headersSent && !res.destroyed) res.writeHead(502);
      res.end();
    });
    req.on('close', () => {
      if (!req.complete) up.destroy();
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

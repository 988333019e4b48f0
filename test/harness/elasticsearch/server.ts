// An Elasticsearch test server: Elasticsearch 9's HTTP wire format, faithfully enough that the
// official @elastic/elasticsearch client works against it unmodified — the `X-elastic-product`
// header its product check needs, compatible-with=9 media types, error bodies, API key and basic
// authentication, optional TLS — over an in-memory index store (index-store.ts) with templates,
// mappings, analysis and refresh, the query DSL subset of query.ts and aggs.ts, and injectable faults
// (faults.ts). Routes: router.ts. What it models and what it leaves out: docs/ARCHITECTURE.md,
// "Elasticsearch test server". Checked through the real client in
// test/integration/harness/elasticsearch-server.test.ts.
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { testCertificate } from '../kube-api/tls.js';
import { EsError } from './errors.js';
import { Faults } from './faults.js';
import { IndexStore } from './index-store.js';
import { route, type ServerState } from './router.js';

export interface EsServerOptions {
  /** Serve HTTPS with a self-signed certificate for 127.0.0.1 (its PEM is `ca`). */
  tls?: boolean;
  /** Require credentials: an API key (the base64 "encoded" form) and/or a user. */
  auth?: { apiKey?: string; username?: string; password?: string };
  /** Send `X-elastic-product: Elasticsearch` (default true); false stands in for a proxy or another product. */
  productHeader?: boolean;
  version?: string;
  /** index.refresh_interval of an index whose settings give none (Elasticsearch: 1 s). */
  refreshIntervalMs?: number;
  /** action.auto_create_index (default true). */
  autoCreateIndex?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}

export interface EsTestServer {
  url: string;
  /** The CA to trust (the server's own certificate) when tls is on. */
  ca?: string;
  faults: Faults;
  store: IndexStore;
  requests: RecordedRequest[];
  /** Stops answering: new connections are refused until start() (the port is kept). */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

const COMPATIBLE = /compatible-with=(\d+)/;
const SUPPORTED_COMPAT = ['8', '9'];

function mediaVersion(header: string | undefined): string | undefined {
  return header ? COMPATIBLE.exec(header)?.[1] : undefined;
}

function checkMedia(req: IncomingMessage, hasBody: boolean): void {
  const accept = mediaVersion(req.headers.accept);
  const content = hasBody ? mediaVersion(req.headers['content-type']) : undefined;
  for (const [name, v] of [
    ['Accept', accept],
    ['Content-Type', content],
  ] as const) {
    if (v !== undefined && !SUPPORTED_COMPAT.includes(v)) {
      throw new EsError(400, 'media_type_header_exception', `Invalid media-type value on headers [${name}]`, { caused_by: { type: 'status_exception', reason: `${name} version must be either version 9 or 8, but found ${v}. ${name}=${name === 'Accept' ? req.headers.accept : req.headers['content-type']}` } });
    }
  }
  if (hasBody && content !== undefined && accept !== undefined && content !== accept) {
    throw new EsError(400, 'media_type_header_exception', 'Invalid media-type value on headers [Accept, Content-Type]', { caused_by: { type: 'status_exception', reason: `A compatible version is required on both Content-Type and Accept headers if either one has requested a compatible version and the compatible versions must match. Accept=${req.headers.accept}, Content-Type=${req.headers['content-type']}` } });
  }
}

function authorized(req: IncomingMessage, auth: EsServerOptions['auth']): boolean {
  if (!auth) return true;
  const h = req.headers.authorization ?? '';
  if (auth.apiKey !== undefined && h === `ApiKey ${auth.apiKey}`) return true;
  if (auth.username !== undefined && h === `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`) return true;
  return false;
}

export async function startElasticsearch(opts: EsServerOptions = {}): Promise<EsTestServer> {
  const store = new IndexStore(opts.refreshIntervalMs ?? 1000, opts.autoCreateIndex ?? true);
  const faults = new Faults();
  const state: ServerState = { store, faults, version: opts.version ?? '9.1.5', clusterName: 'flotilla-test', clusterUuid: randomUUID() };
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const tls = opts.tls ? testCertificate() : undefined;

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const compat = mediaVersion(req.headers.accept);
    const send = (status: number, payload: unknown, extra: Record<string, string> = {}, text?: string) => {
      requests.push({ method, path, query: Object.fromEntries(url.searchParams), status });
      const headers: Record<string, string> = { ...extra };
      if (opts.productHeader !== false) headers['X-elastic-product'] = 'Elasticsearch';
      const out = text ?? (payload === undefined ? '' : JSON.stringify(payload));
      headers['content-type'] = text !== undefined ? 'text/plain; charset=UTF-8' : compat ? `application/vnd.elasticsearch+json;compatible-with=${compat}` : 'application/json';
      headers['content-length'] = String(Buffer.byteLength(out));
      res.writeHead(status, headers);
      res.end(method === 'HEAD' ? undefined : out);
    };
    const reset = faults.resetFor(method, path);
    if (reset === 'before') {
      requests.push({ method, path, query: Object.fromEntries(url.searchParams), status: 0 });
      req.socket.resetAndDestroy();
      return;
    }
    void (async () => {
      try {
        if (!authorized(req, opts.auth)) {
          throw new EsError(401, 'security_exception', `missing authentication credentials for REST request [${req.url ?? '/'}]`, { header: { 'WWW-Authenticate': ['Basic realm="security", charset="UTF-8"', 'ApiKey'] } }, { 'WWW-Authenticate': 'Basic realm="security", charset="UTF-8"' });
        }
        let payload = body;
        if ((req.headers['content-encoding'] ?? '').includes('gzip')) payload = gunzipSync(body);
        checkMedia(req, payload.length > 0);
        const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
        const reply = await route({ method, path, segments, query: url.searchParams, body: payload }, state);
        if (reset === 'after') {
          // Applied, then the connection drops before the answer: the client cannot tell this from a reset before.
          requests.push({ method, path, query: Object.fromEntries(url.searchParams), status: 0 });
          req.socket.resetAndDestroy();
          return;
        }
        send(reply.status, reply.body, {}, reply.text);
      } catch (e) {
        if (e instanceof EsError) send(e.status, e.body(), e.headers);
        else send(500, new EsError(500, 'exception', `the test server failed: ${(e as Error).stack ?? String(e)}`).body());
      }
    })();
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  };
  const server: Server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, onRequest) : createHttpServer(onRequest);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    ...(tls ? { ca: tls.cert } : {}),
    faults,
    store,
    requests,
    pause: close,
    resume: () => new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    }),
    async stop() {
      store.close();
      if (server.listening) await close();
    },
  };
}

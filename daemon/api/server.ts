// The HTTP(S) server: /healthz, /metrics, the REST route table, and the /ws upgrade hand-off.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { FlotillaError } from '../../core/errors.js';
import type { Identity } from '../../core/api.js';
import type { ConnectionLimits } from '../../config/api-schema.js';
import type { Logger } from '../../core/log.js';
import { VERSION } from '../../core/version.js';
import type { AuthTarget } from '../auth/authorize.js';
import { checkAccess } from '../auth/gate.js';
import type { DaemonMetrics } from '../metrics.js';
import type { Authenticator } from './auth.js';
import { serverTimeouts } from './connection-limits.js';
import { recordCredentialRefusal } from './credential-refusal.js';
import { sendError, sendJson } from './http.js';
import type { Refusals } from './refusals.js';
import type { ApiContext } from './route.js';
import { matchRoute } from './routes.js';

export interface ServerDeps {
  ctx: ApiContext;
  auth: Authenticator;
  metrics: DaemonMetrics;
  log: Logger;
  refusals: Refusals;
}

export function createServer(tls: { cert: string; key: string } | undefined, limits: ConnectionLimits): Server {
  const timeouts = serverTimeouts(limits);
  if (!tls) return createHttpServer(timeouts);
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = readFileSync(tls.cert);
    key = readFileSync(tls.key);
  } catch (e) {
    throw new FlotillaError('config', `cannot read TLS files: ${(e as Error).message}`, 'Check tls.cert and tls.key in daemon.yaml point at readable PEM files.', { cause: e });
  }
  return createHttpsServer({ cert, key, ...timeouts, handshakeTimeout: limits.headersTimeoutMs });
}

async function dispatch(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<{ route: string; status: number }> {
  const method = req.method ?? 'GET';
  if (url.pathname === '/healthz' && method === 'GET') {
    sendJson(res, 200, { status: 'ok', version: VERSION });
    return { route: '/healthz', status: 200 };
  }
  if (url.pathname === '/metrics' && method === 'GET') {
    const text = await deps.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
    res.end(text);
    return { route: '/metrics', status: 200 };
  }
  const match = matchRoute(method, url.pathname);
  if (!match) {
    const status = sendError(res, new FlotillaError('not_found', `no endpoint ${method} ${url.pathname.slice(0, 200)}`, 'See docs/API.md for the endpoints this daemon serves.'));
    return { route: 'unmatched', status };
  }
  if ('allowed' in match) {
    res.setHeader('allow', match.allowed.join(', '));
    sendJson(res, 405, { error: new FlotillaError('usage', `${method} is not allowed on ${url.pathname.slice(0, 200)}`, `Use ${match.allowed.join(' or ')}.`).toBody() });
    return { route: 'unmatched', status: 405 };
  }
  const { route, params } = match;
  if (route.auth === 'none') {
    try {
      const [status, body] = await route.handle(deps.ctx);
      sendJson(res, status, body);
      return { route: route.path, status };
    } catch (e) {
      if (!(e instanceof FlotillaError)) deps.log.error({ err: e, route: route.path }, 'request failed');
      return { route: route.path, status: sendError(res, e) };
    }
  }
  if (route.auth === 'signed-body') {
    // Authenticated by the signature over its body, which the handler verifies before acting on anything.
    try {
      const [status, body] = await route.handle(deps.ctx, { req, params, query: url.searchParams, remote: req.socket.remoteAddress });
      sendJson(res, status, body);
      return { route: route.path, status };
    } catch (e) {
      if (!(e instanceof FlotillaError)) deps.log.error({ err: e, route: route.path }, 'request failed');
      return { route: route.path, status: sendError(res, e) };
    }
  }
  let identity: Identity;
  try {
    identity = await deps.auth.authenticate(req.headers.authorization);
  } catch (e) {
    recordCredentialRefusal({ refusals: deps.refusals, audit: deps.ctx.registry.audit, log: deps.log }, { remote: req.socket.remoteAddress, method, route: route.path, path: url.pathname, action: route.action, mutating: route.mutating === true }, e);
    return { route: route.path, status: sendError(res, e) };
  }
  let target: AuthTarget = {};
  try {
    if (route.target) target = route.target(deps.ctx, { req, params, query: url.searchParams });
  } catch (e) {
    return { route: route.path, status: sendError(res, e) };
  }
  const denied = checkAccess(deps.ctx.registry.audit, deps.log, identity, route.action, target, { target: url.pathname, detail: { method } }, (n) => deps.ctx.registry.clusters.get(n)?.labels);
  if (denied) return { route: route.path, status: sendError(res, denied) };
  try {
    const [status, body] = await route.handle(deps.ctx, { req, params, query: url.searchParams, identity });
    sendJson(res, status, body);
    return { route: route.path, status };
  } catch (e) {
    if (!(e instanceof FlotillaError)) deps.log.error({ err: e, route: route.path }, 'request failed');
    return { route: route.path, status: sendError(res, e) };
  }
}

export function attachRoutes(server: Server, deps: ServerDeps): void {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://flotilla.invalid');
    } catch {
      sendError(res, new FlotillaError('usage', 'malformed request URL', 'Check the URL.'));
      return;
    }
    const method = req.method ?? 'GET';
    dispatch(deps, req, res, url)
      .then(({ route, status }) => deps.metrics.httpRequests.inc({ method, route, status: String(status) }))
      .catch((e: unknown) => {
        deps.log.error({ err: e }, 'request handler crashed');
        if (!res.headersSent) sendError(res, e);
        else res.destroy();
      });
  });
}

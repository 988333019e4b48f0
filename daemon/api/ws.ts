// The /ws endpoint (DESIGN.md §3.8): auth and Origin checks before the upgrade, the hello frame,
// bad-frame accounting, pings, and the topics and call methods it was built with (ws-registry.ts),
// each subscription and call authorized before it runs.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Identity } from '../../core/api.js';
import { FlotillaError, toFlotillaError, type ErrorBody } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { ClientFrameSchema, WS_LIMITS, type ClientFrame, type HelloFrame } from '../../core/protocol.js';
import { VERSION } from '../../core/version.js';
import { actorOf } from '../auth/actor.js';
import type { LabelsOf } from '../auth/authorize.js';
import { checkAccess } from '../auth/gate.js';
import type { AuditLog } from '../registry/audit.js';
import type { DaemonMetrics } from '../metrics.js';
import type { Authenticator } from './auth.js';
import { recordCredentialRefusal } from './credential-refusal.js';
import type { Refusals } from './refusals.js';
import type { Opened, Topic, TopicRequest } from './topic.js';
import type { WsMethod } from './ws-method.js';
import { WsSession } from './ws-session.js';

export interface WsHubOptions {
  auth: Authenticator;
  audit: AuditLog;
  metrics: DaemonMetrics;
  log: Logger;
  allowedOrigins: string[];
  topics: Topic[];
  methods: WsMethod[];
  /** Refused upgrades are logged through it, rate-limited per source. */
  refusals: Refusals;
  /** A registered cluster's labels, for the grants of a scoped identity. */
  labelsOf?: LabelsOf;
  limits?: Partial<typeof WS_LIMITS>;
}

/** Frames without a usable id are answered with this id. */
export const NO_ID = -1;
const DRAIN_CHECK_MS = 100;

function refuse(socket: Duplex, status: number, reason: string, body: ErrorBody): void {
  const text = JSON.stringify({ error: body });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n` +
      (status === 401 ? 'WWW-Authenticate: Bearer realm="flotilla"\r\n' : '') +
      `\r\n${text}`,
  );
}

function usage(message: string): ErrorBody {
  return { code: 'usage', message, next: 'Send JSON text frames such as {"id":1,"op":"subscribe","topic":"fleet"} or {"id":2,"op":"ping"}.' };
}

export class WsHub {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<WsSession>();
  private readonly limits: typeof WS_LIMITS;
  private readonly pingTimer: NodeJS.Timeout;
  private readonly drainTimer: NodeJS.Timeout;
  private readonly methods: Map<string, WsMethod>;

  constructor(private readonly opts: WsHubOptions) {
    this.limits = { ...WS_LIMITS, ...opts.limits };
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.limits.maxFrameBytes });
    this.methods = new Map(opts.methods.map((m) => [m.name, m]));
    this.pingTimer = setInterval(() => this.pingAll(), this.limits.pingIntervalMs);
    this.pingTimer.unref();
    // Topics also flush when they next publish; this catches a client that drained while all was quiet.
    this.drainTimer = setInterval(() => {
      for (const s of this.sessions) if (!s.slow) for (const t of opts.topics) t.flush(s);
    }, DRAIN_CHECK_MS);
    this.drainTimer.unref();
  }

  get clientCount(): number {
    return this.sessions.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    // URL.parse, not new URL: "//[" is a request line anyone can send, and a throw here would end the process.
    const path = URL.parse(req.url ?? '/', 'http://flotilla.invalid')?.pathname ?? '(malformed)';
    const refused = (status: number, reason: string) => this.opts.refusals.upgradeRefused({ remote: req.socket.remoteAddress, origin: req.headers.origin, status, reason });
    if (path !== '/ws') {
      refused(404, 'unknown path');
      refuse(socket, 404, 'Not Found', { code: 'not_found', message: `no WebSocket endpoint at ${path.slice(0, 100)}`, next: 'Connect to /ws.' });
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !this.opts.allowedOrigins.includes(origin)) {
      refused(403, 'origin not allowed');
      refuse(socket, 403, 'Forbidden', { code: 'forbidden', message: `Origin ${origin.slice(0, 100)} is not allowed`, next: 'Add the origin to api.allowedOrigins in daemon.yaml, or connect without a browser.' });
      return;
    }
    const refuseCredentials = (e: unknown) => {
      const err = e instanceof FlotillaError ? e : new FlotillaError('unauthenticated', 'authentication failed', 'Pass a valid token.');
      // A refused ID token or a signed-in user no binding covers is audited as on REST; a bad API token only counted, as before.
      const reason = err.details?.reason;
      if (err.kind === 'forbidden' || (typeof reason === 'string' && reason.startsWith('oidc.'))) {
        recordCredentialRefusal({ refusals: this.opts.refusals, audit: this.opts.audit, log: this.opts.log }, { remote: req.socket.remoteAddress, method: 'GET', route: '/ws', path: '/ws', action: 'ws.connect', mutating: false }, err);
      } else {
        refused(err.httpStatus, err.message);
      }
      refuse(socket, err.httpStatus, STATUS_CODES[err.httpStatus] ?? 'Unauthorized', err.toBody());
    };
    let identity: Identity | Promise<Identity>;
    try {
      identity = this.opts.auth.authenticate(req.headers.authorization);
    } catch (e) {
      refuseCredentials(e);
      return;
    }
    if (!(identity instanceof Promise)) {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, identity));
      return;
    }
    identity.then(
      (who) => {
        if (socket.destroyed) return;
        this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, who));
      },
      (e: unknown) => {
        if (!socket.destroyed) refuseCredentials(e);
      },
    );
  }

  private accept(ws: WebSocket, identity: Identity): void {
    const session = new WsSession(ws, identity, this.limits.slowClientBytes);
    this.sessions.add(session);
    this.opts.metrics.wsClients.set(this.sessions.size);
    ws.on('pong', () => (session.alive = true));
    ws.on('message', (data, isBinary) => this.onMessage(session, data, isBinary));
    // e.g. a frame over the size limit: ws closes the socket (1009) and reports it here
    ws.on('error', (err) => this.opts.log.warn({ err, actor: actorOf(identity).id }, 'websocket closed on a protocol error'));
    ws.on('close', () => {
      this.sessions.delete(session);
      for (const t of this.opts.topics) t.forget(session);
      this.opts.metrics.wsClients.set(this.sessions.size);
    });
    const hello: HelloFrame = { kind: 'hello', server: { version: VERSION, now: new Date().toISOString() }, identity };
    session.send(hello);
  }

  private bad(session: WsSession, id: number, message: string): void {
    session.badFrames += 1;
    this.opts.metrics.wsBadFrames.inc();
    session.replyError(id, usage(message));
    // Logged on the first and the last straw, not per frame: a noisy client must not flood the log.
    const actor = actorOf(session.identity).id;
    if (session.badFrames === 1) this.opts.log.warn({ actor, reason: message }, 'invalid websocket frame refused');
    if (session.badFrames >= this.limits.maxBadFrames) {
      this.opts.log.warn({ actor, badFrames: session.badFrames }, 'websocket closed after too many invalid frames');
      session.ws.close(1008, 'too many invalid frames');
    }
  }

  private onMessage(session: WsSession, data: RawData, isBinary: boolean): void {
    if (isBinary) return this.bad(session, NO_ID, 'binary frames are not accepted; send JSON text');
    let raw: unknown;
    try {
      raw = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
    } catch {
      return this.bad(session, NO_ID, 'frame is not valid JSON');
    }
    const parsed = ClientFrameSchema.safeParse(raw);
    if (!parsed.success) {
      const id = (raw as { id?: unknown } | null)?.id;
      const issue = parsed.error.issues[0];
      return this.bad(session, typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : NO_ID, `invalid frame: ${issue ? `${issue.path.join('.') || '(frame)'}: ${issue.message}` : 'unknown shape'}`);
    }
    this.onFrame(session, parsed.data);
  }

  private onFrame(session: WsSession, frame: ClientFrame): void {
    switch (frame.op) {
      case 'ping':
        return session.reply(frame.id, { pong: new Date().toISOString() });
      case 'call':
        return this.call(session, frame.id, frame.method, frame.params ?? {});
      case 'subscribe':
        return this.subscribe(session, frame.id, frame.topic, frame.query, frame.after);
      case 'unsubscribe':
        for (const t of this.opts.topics) t.unsubscribe(session, frame.topic);
        return session.reply(frame.id, { unsubscribed: frame.topic });
    }
  }

  private call(session: WsSession, id: number, name: string, params: Record<string, unknown>): void {
    const method = this.methods.get(name);
    if (!method) {
      const served = [...this.methods.keys()].join(', ');
      return session.replyError(id, { code: 'not_found', message: `method ${name.slice(0, 128)} is not available on this daemon`, next: `Call one of ${served}; everything else is on the REST API under /api/v1.` });
    }
    let target;
    try {
      target = method.target?.(params) ?? {};
    } catch (e) {
      return session.replyError(id, toFlotillaError(e).toBody());
    }
    const denied = checkAccess(this.opts.audit, this.opts.log, session.identity, method.action, target, { target: 'ws', detail: { via: 'ws', method: name } }, this.opts.labelsOf);
    if (denied) return session.replyError(id, denied.toBody());
    method.run(session.identity, params).then(
      (result) => session.reply(id, result),
      (e: unknown) => {
        const err = toFlotillaError(e);
        if (err.kind === 'internal') this.opts.log.error({ err: e, method: name }, 'websocket call failed');
        session.replyError(id, err.toBody());
      },
    );
  }

  private subscribe(session: WsSession, id: number, name: string, query: string | undefined, after: string | undefined): void {
    let request: TopicRequest | undefined;
    try {
      for (const t of this.opts.topics) {
        request = t.match(name, query, after, session.identity);
        if (request) break;
      }
    } catch (e) {
      return session.replyError(id, toFlotillaError(e).toBody());
    }
    if (!request) {
      const served = this.opts.topics.map((t) => `"${t.pattern}"`).join(', ');
      return session.replyError(id, { code: 'not_found', message: `topic ${name} is not served by this daemon yet`, next: `Subscribe to one of ${served}.` });
    }
    const denied = checkAccess(this.opts.audit, this.opts.log, session.identity, request.action, request.target, { target: name, detail: { via: 'ws', op: 'subscribe' } }, this.opts.labelsOf);
    if (denied) return session.replyError(id, denied.toBody());
    const start = (o: Opened) => {
      session.reply(id, { subscribed: name, rev: o.rev });
      session.sendText(JSON.stringify(o.snapshot));
      o.started?.();
    };
    let opened;
    try {
      opened = request.open(session);
    } catch (e) {
      return session.replyError(id, toFlotillaError(e).toBody());
    }
    // A synchronous snapshot is answered in the same turn, so no event can come between it and the subscription.
    if (!(opened instanceof Promise)) return start(opened);
    opened.then(start, (e: unknown) => {
      const err = toFlotillaError(e);
      if (err.kind === 'internal') this.opts.log.error({ err: e, topic: name }, 'websocket subscribe failed');
      session.replyError(id, err.toBody());
    });
  }

  private pingAll(): void {
    for (const s of this.sessions) {
      if (!s.alive) {
        s.ws.terminate();
        continue;
      }
      if (!this.opts.auth.stillValid(s.identity)) {
        s.ws.close(1008, 'token no longer valid');
        continue;
      }
      s.alive = false;
      s.ws.ping();
    }
  }

  /** Closes every socket whose credentials no longer hold or give other grants now; its client connects again and gets what it may see now. */
  closeStale(reason: string): void {
    for (const s of this.sessions) if (!this.opts.auth.stillValid(s.identity)) s.ws.close(1008, reason);
  }

  /** Closes every socket opened with this token (it was revoked). */
  closeToken(tokenId: string): void {
    for (const s of this.sessions) if (s.identity.provider === 'token' && s.identity.subject === tokenId) s.ws.close(1008, 'token revoked');
  }

  async close(): Promise<void> {
    for (const t of this.opts.topics) t.close();
    clearInterval(this.pingTimer);
    clearInterval(this.drainTimer);
    const closing = [...this.sessions].map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.ws.readyState === s.ws.CLOSED) return resolve();
          const timer = setTimeout(() => {
            s.ws.terminate();
            resolve();
          }, 1000);
          s.ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          s.ws.close(1001, 'daemon shutting down');
        }),
    );
    await Promise.all(closing);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

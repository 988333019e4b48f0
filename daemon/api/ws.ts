// The /ws endpoint (DESIGN.md §3.8): auth and Origin checks before the upgrade, the hello frame,
// fleet and cluster:<name> topics, bad-frame accounting, pings, and slow-client coalescing.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { FlotillaError, toFlotillaError, type ErrorBody } from '../../core/errors.js';
import type { FleetChange } from '../../core/fleet.js';
import type { Logger } from '../../core/log.js';
import { ClientFrameSchema, WS_LIMITS, type ClientFrame, type FleetPatchFrame, type HelloFrame } from '../../core/protocol.js';
import { VERSION } from '../../core/version.js';
import type { FleetService } from '../fleet/service.js';
import type { JobService } from '../jobs/service.js';
import { JobsTopic } from '../jobs/topic.js';
import { callJobMethod, isJobMethod } from '../jobs/ws-calls.js';
import type { AuditLog } from '../registry/audit.js';
import type { FleetChangeEvent } from '../fleet/state.js';
import type { DaemonMetrics } from '../metrics.js';
import type { Authenticator } from './auth.js';
import type { Refusals } from './refusals.js';
import { WsSession, type SessionSource } from './ws-session.js';

export interface WsHubOptions {
  auth: Authenticator;
  service: FleetService;
  jobs: JobService;
  audit: AuditLog;
  metrics: DaemonMetrics;
  log: Logger;
  allowedOrigins: string[];
  /** Refused upgrades are logged through it, rate-limited per source. */
  refusals: Refusals;
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

function usage(message: string, next = 'Send frames as in DESIGN.md §3.8, e.g. {"id":1,"op":"subscribe","topic":"fleet"}.'): ErrorBody {
  return { code: 'usage', message, next };
}

export class WsHub {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<WsSession>();
  private readonly limits: typeof WS_LIMITS;
  private readonly pingTimer: NodeJS.Timeout;
  private readonly drainTimer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private readonly source: SessionSource;
  private readonly jobsTopic: JobsTopic;

  constructor(private readonly opts: WsHubOptions) {
    this.limits = { ...WS_LIMITS, ...opts.limits };
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.limits.maxFrameBytes });
    const state = opts.service.state;
    this.source = {
      rev: () => state.rev,
      changesFor: (names) => {
        const now = Date.now();
        const out: FleetChange[] = [];
        for (const name of names) {
          const row = state.row(name, now);
          out.push(row ? { op: 'upsert', row } : { op: 'remove', name });
        }
        return out;
      },
      detail: (name) => opts.service.detail(name, Date.now()),
    };
    this.unsubscribe = state.subscribe((ev) => this.onFleetChange(ev));
    this.jobsTopic = new JobsTopic(opts.jobs);
    this.pingTimer = setInterval(() => this.pingAll(), this.limits.pingIntervalMs);
    this.pingTimer.unref();
    this.drainTimer = setInterval(() => {
      for (const s of this.sessions) if (s.backlogged) s.flushIfDrained();
      this.jobsTopic.flush();
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
    let identity;
    try {
      identity = this.opts.auth.authenticate(req.headers.authorization);
    } catch (e) {
      const err = e instanceof FlotillaError ? e : new FlotillaError('unauthenticated', 'authentication failed', 'Pass a valid token.');
      refused(401, err.message);
      refuse(socket, 401, 'Unauthorized', err.toBody());
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, identity));
  }

  private accept(ws: WebSocket, identity: HelloFrame['identity']): void {
    const session = new WsSession(ws, identity, this.source, this.limits.slowClientBytes);
    this.sessions.add(session);
    this.opts.metrics.wsClients.set(this.sessions.size);
    ws.on('pong', () => (session.alive = true));
    ws.on('message', (data, isBinary) => this.onMessage(session, data, isBinary));
    // e.g. a frame over the size limit: ws closes the socket (1009) and reports it here
    ws.on('error', (err) => this.opts.log.warn({ err, token: identity.tokenId }, 'websocket closed on a protocol error'));
    ws.on('close', () => {
      this.sessions.delete(session);
      this.jobsTopic.remove(session);
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
    if (session.badFrames === 1) this.opts.log.warn({ token: session.identity.tokenId, reason: message }, 'invalid websocket frame refused');
    if (session.badFrames >= this.limits.maxBadFrames) {
      this.opts.log.warn({ token: session.identity.tokenId, badFrames: session.badFrames }, 'websocket closed after too many invalid frames');
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
        if (isJobMethod(frame.method)) return this.callJob(session, frame.id, frame.method, frame.params ?? {});
        return session.replyError(frame.id, { code: 'not_found', message: `method ${frame.method.slice(0, 128)} is not available on this daemon`, next: 'Use the REST API (docs/API.md) for this operation.' });
      case 'subscribe':
        return this.subscribe(session, frame.id, frame.topic);
      case 'unsubscribe':
        if (frame.topic === 'fleet') session.fleet = false;
        else if (frame.topic === 'jobs') this.jobsTopic.remove(session);
        else if (frame.topic.startsWith('cluster:')) session.clusters.delete(frame.topic.slice('cluster:'.length));
        return session.reply(frame.id, { unsubscribed: frame.topic });
    }
  }

  private callJob(session: WsSession, id: number, method: string, params: Record<string, unknown>): void {
    callJobMethod(this.opts.jobs, this.opts.audit, session.identity, method, params).then(
      (result) => session.reply(id, result),
      (e: unknown) => {
        const err = toFlotillaError(e);
        if (err.kind === 'internal') this.opts.log.error({ err: e, method }, 'websocket call failed');
        session.replyError(id, err.toBody());
      },
    );
  }

  private subscribe(session: WsSession, id: number, topic: string): void {
    const state = this.opts.service.state;
    if (topic === 'jobs') {
      session.reply(id, { subscribed: topic, rev: this.opts.jobs.rev });
      this.jobsTopic.add(session);
      return;
    }
    if (topic === 'fleet') {
      session.reply(id, { subscribed: topic, rev: state.rev });
      session.sendFleetSnapshot(state.rev, state.rows(Date.now()));
      return;
    }
    if (topic.startsWith('cluster:')) {
      const name = topic.slice('cluster:'.length);
      session.clusters.add(name);
      session.reply(id, { subscribed: topic, rev: state.rev });
      session.sendClusterSnapshot(name);
      return;
    }
    session.replyError(id, { code: 'not_found', message: `topic ${topic} is not served by this daemon yet`, next: 'Subscribe to "fleet", "jobs" or "cluster:<name>".' });
  }

  private onFleetChange(ev: FleetChangeEvent): void {
    if (this.sessions.size === 0) return;
    const names = [...ev.upserted, ...ev.removed];
    let patch: string | undefined;
    const sharedPatch = () => {
      if (patch === undefined) {
        const frame: FleetPatchFrame = { topic: 'fleet', kind: 'patch', rev: ev.rev, fromRev: ev.rev - 1, changes: this.source.changesFor(names) };
        patch = JSON.stringify(frame);
      }
      return patch;
    };
    const clusterTexts = new Map<string, string>();
    const clusterText = (name: string) => {
      let text = clusterTexts.get(name);
      if (text === undefined) {
        text = JSON.stringify({ topic: `cluster:${name}`, kind: 'snapshot', rev: ev.rev, data: this.source.detail(name) });
        clusterTexts.set(name, text);
      }
      return text;
    };
    for (const s of this.sessions) s.onFleetChange(ev.rev, names, sharedPatch, clusterText);
  }

  private pingAll(): void {
    for (const s of this.sessions) {
      if (!s.alive) {
        s.ws.terminate();
        continue;
      }
      if (!this.opts.auth.stillValid(s.identity.tokenId)) {
        s.ws.close(1008, 'token no longer valid');
        continue;
      }
      s.alive = false;
      s.ws.ping();
    }
  }

  /** Closes every socket opened with this token (it was revoked). */
  closeToken(tokenId: string): void {
    for (const s of this.sessions) if (s.identity.tokenId === tokenId) s.ws.close(1008, 'token revoked');
  }

  async close(): Promise<void> {
    this.unsubscribe();
    this.jobsTopic.close();
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

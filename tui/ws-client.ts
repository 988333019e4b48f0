// The TUI's link to the daemon (DESIGN.md §3.8). An I/O adapter: it turns socket events into
// reducer actions and never exits — a lost link only changes what the banner says. What the console
// follows is one subscription table (topic → params, last rev, handler); every (re)connect
// subscribes everything in it.
import WebSocket from 'ws';
import type { ClientFrame } from '../core/protocol.js';
import { TOPIC } from '../core/protocol.js';
import { FlotillaError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { authRetryDelay, backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { parseServerFrame, type InboundFrame } from './frames.js';
import type { Action } from './state/app.js';
import type { CallOutcome } from './state/calls.js';
import type { TopicWant } from './state/view-model.js';

export interface FleetLinkOptions {
  server: string;
  /** The bearer, asked at every connect: a signed-in session's ID token changes as it is refreshed. */
  token: string | (() => Promise<string>);
  dispatch: (action: Action) => void;
  log: Logger;
  now?: () => number;
  random?: () => number;
  backoff?: BackoffOptions;
  /** No frame, ping or pong for this long means the link is dead even if TCP has not noticed. */
  deadLinkMs?: number;
  pingIntervalMs?: number;
}

/** http(s)://host[:port][/base] → ws(s)://host[:port][/base]/ws */
export function wsUrl(server: string): string {
  const url = new URL(server);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new FlotillaError('config', `server "${server}" is not an http(s) URL`, 'Pass --server http://HOST:PORT (the daemon listens on http://127.0.0.1:7420 by default).');
  }
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/ws`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

function describeHttpRefusal(status: number): FlotillaError {
  if (status === 401) return new FlotillaError('unauthenticated', 'token rejected', 'check FLOTILLA_TOKEN, run `flotilla token create`, or sign in again with `flotilla login`');
  if (status === 403) return new FlotillaError('forbidden', 'connection refused by the daemon (403)', 'ask an admin for a role binding, or check the allowed origins');
  return new FlotillaError('unavailable', `daemon answered the upgrade with HTTP ${status}`, 'check that --server points at a Flotilla daemon');
}

function describeSocketError(error: Error & { code?: string }, url: string): FlotillaError {
  if (error.code === 'ECONNREFUSED' || error.code === 'ENOTFOUND' || error.code === 'EHOSTUNREACH') {
    return new FlotillaError('unavailable', `daemon not reachable at ${url} (${error.code})`, 'start it with `flotilla daemon` or check --server');
  }
  return new FlotillaError('unavailable', error.message, 'check the network path to the daemon');
}

export function userText(error: FlotillaError): string {
  return `${error.message} — ${error.next}`;
}

/** What a subscribe frame carries besides the topic (the logs topic's query, for one). */
interface SubscriptionParams {
  query?: string;
  /** The logs topic: resume after this ingest cursor (the last live line taken) instead of a fresh snapshot. */
  after?: string;
}

type TopicFrame = Extract<InboundFrame, { topic: string }>;

/** One row of the subscription table. */
interface Subscription {
  params: SubscriptionParams;
  /** The rev of the last snapshot or patch taken on this connection; null until its snapshot. */
  rev: number | null;
  handle(frame: TopicFrame, sub: Subscription): void;
  /**
   * A topic with a query: the id of the subscribe whose answer has not come yet. Frames of the topic
   * meanwhile belong to the subscription it replaces (the daemon answers a subscribe, then sends its
   * snapshot, in order), so they are dropped.
   */
  awaiting: number | null;
  /** The logs topic: the cursor of the newest live line taken, where a reconnect resumes. */
  lastCursor: string | null;
}

const CLUSTER_PREFIX = 'cluster:';
const METRICS_PREFIX = 'metrics:';

export class FleetLink {
  private readonly url: string;
  private readonly opts: Required<Omit<FleetLinkOptions, 'backoff'>> & { backoff: BackoffOptions };
  private ws: WebSocket | null = null;
  private failures = 0;
  private stopped = false;
  private ready = false;
  private nextId = 1;
  private readonly subscriptions = new Map<string, Subscription>();
  /** The last topic a view asked for that the link cannot follow; reported once. */
  private refused: string | null = null;
  private lastError: FlotillaError | null = null;
  private authRejected = false;
  /** Calls awaiting their reply, by frame id; settled as unavailable if the link drops first. */
  private readonly pending = new Map<number, (outcome: CallOutcome) => void>();
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** The connect waiting for its token; a newer connect or a stop makes its answer moot. */
  private connecting: object | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private pinger: NodeJS.Timeout | null = null;

  constructor(opts: FleetLinkOptions) {
    this.url = wsUrl(opts.server);
    this.opts = {
      now: Date.now,
      random: Math.random,
      backoff: DEFAULT_BACKOFF,
      deadLinkMs: 35_000,
      pingIntervalMs: 15_000,
      ...opts,
    };
    this.subscriptions.set('fleet', { params: {}, rev: null, handle: (frame, sub) => this.onFleet(frame, sub), awaiting: null, lastCursor: null });
  }

  start(): void {
    this.connect();
  }

  /**
   * Connects again now with a fresh token (a refreshed session): the daemon closes a socket whose
   * ID token expired, so the console moves to the new one before that, and resubscribes everything.
   */
  reconnectNow(): void {
    if (this.stopped) return;
    if (this.reconnectTimer) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
    }
    const ws = this.ws;
    this.failures = 0;
    if (!ws) {
      this.connect();
      return;
    }
    this.ws = null;
    this.clearTimers();
    this.ready = false;
    this.settlePending();
    ws.removeAllListeners();
    ws.on('error', () => {});
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(1000, 'reconnecting with a refreshed token');
    this.connect();
  }

  /**
   * Follows the open views: the table holds `fleet` and exactly the topics they want, so a new view's
   * topic needs only its handler in `handlerFor`. New topics are subscribed, dropped ones unsubscribed,
   * and one whose query changed is unsubscribed and subscribed again with the new query.
   */
  follow(topics: readonly TopicWant[]): void {
    const wanted = new Map<string, SubscriptionParams>(topics.map((t) => (typeof t === 'string' ? [t, {}] : [t.topic, { query: t.query }])));
    for (const held of [...this.subscriptions.keys()]) if (held !== 'fleet' && !wanted.has(held)) this.unwatch(held);
    for (const [topic, params] of wanted) {
      const held = this.subscriptions.get(topic);
      if (held && held.params.query === params.query) continue;
      const handle = this.handlerFor(topic);
      if (handle) {
        this.watch(topic, params, handle);
      } else if (this.refused !== topic) {
        // Said once per name, not on every state change while the view asks for it.
        this.refused = topic;
        const text = topic.startsWith(CLUSTER_PREFIX) ? `"${topic.slice(CLUSTER_PREFIX.length)}" is not a valid cluster name` : `the console cannot follow the topic "${topic}"`;
        this.opts.dispatch({ type: 'message', text, level: 'error' });
      }
    }
  }

  private handlerFor(topic: string): Subscription['handle'] | undefined {
    if (!TOPIC.test(topic)) return undefined;
    if (topic === 'jobs') return (frame, sub) => this.onJobs(frame, sub);
    if (topic === 'logs') return (frame, sub) => this.onLogs(frame, sub);
    if (topic === 'pipeline') return (frame, sub) => this.onPipeline(frame, sub);
    if (topic === 'audit') return (frame, sub) => this.onAudit(frame, sub);
    if (topic === 'metrics') return (frame, sub) => this.onFleetMetrics(frame, sub);
    if (topic.startsWith(CLUSTER_PREFIX)) return (frame, sub) => this.onCluster(frame, sub);
    if (topic.startsWith(METRICS_PREFIX)) return (frame, sub) => this.onMetrics(frame, sub);
    return undefined;
  }

  /** Adds a topic to the table (a change of params unsubscribes and subscribes it again); sent now if connected, else on hello. */
  private watch(topic: string, params: SubscriptionParams, handle: Subscription['handle']): void {
    const held = this.subscriptions.get(topic);
    if (held && held.params.query === params.query) return;
    const sub: Subscription = { params, rev: null, handle, awaiting: null, lastCursor: null };
    this.subscriptions.set(topic, sub);
    if (!this.ready) return;
    if (held) this.unsubscribe(topic);
    this.subscribe(topic, sub);
  }

  private unwatch(topic: string): void {
    if (this.subscriptions.delete(topic) && this.ready) this.unsubscribe(topic);
  }

  /**
   * Sends one `call` frame and resolves with the daemon's answer. Never rejects: a call that cannot be
   * sent, or whose link drops before the answer, resolves as an `unavailable` error with a next step.
   */
  call(method: string, params: Record<string, unknown>): Promise<CallOutcome> {
    if (!this.ready || this.ws?.readyState !== WebSocket.OPEN) {
      return Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'not connected to the daemon', next: 'wait for the console to reconnect, then try again' } });
    }
    const id = this.nextId++;
    return new Promise<CallOutcome>((resolve) => {
      this.pending.set(id, resolve);
      this.send({ id, op: 'call', method, params });
    });
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.connecting = null;
    this.settlePending();
    this.clearTimers();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1000);
      ws.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'bye');
    });
  }

  private connect(): void {
    if (this.stopped) return;
    this.ready = false;
    for (const sub of this.subscriptions.values()) {
      sub.rev = null;
      sub.awaiting = null;
    }
    this.authRejected = false;
    this.lastError = null;
    this.opts.dispatch({ type: 'conn/connecting', at: this.opts.now(), attempt: this.failures + 1 });
    this.opts.log.debug({ url: this.url, attempt: this.failures + 1 }, 'connecting');
    const token = this.opts.token;
    if (typeof token === 'string') {
      this.open(token);
      return;
    }
    const attempt = {};
    this.connecting = attempt;
    token().then(
      (t) => {
        if (this.connecting === attempt && !this.stopped) this.open(t);
      },
      (e: unknown) => {
        if (this.connecting !== attempt || this.stopped) return;
        this.authRejected = true;
        this.scheduleReconnect(e instanceof FlotillaError ? e : new FlotillaError('unauthenticated', `cannot get a token: ${(e as Error).message}`, 'sign in again with `flotilla login`'));
      },
    );
  }

  private open(token: string): void {
    this.connecting = null;
    const ws = new WebSocket(this.url, { headers: { Authorization: `Bearer ${token}` }, handshakeTimeout: 10_000 });
    this.ws = ws;
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      this.authRejected = status === 401;
      this.lastError = describeHttpRefusal(status);
      ws.terminate();
    });
    ws.on('open', () => {
      this.armWatchdog();
      this.pinger = setInterval(() => {
        if (ws.readyState === WebSocket.OPEN) ws.ping();
      }, this.opts.pingIntervalMs);
    });
    ws.on('message', (data, isBinary) => {
      this.armWatchdog();
      if (isBinary) {
        this.opts.log.warn('binary frame ignored');
        return;
      }
      this.onText(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
    });
    ws.on('ping', () => this.armWatchdog());
    ws.on('pong', () => this.armWatchdog());
    ws.on('error', (error: Error & { code?: string }) => {
      this.lastError ??= describeSocketError(error, this.url);
    });
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      this.clearTimers();
      this.ws = null;
      this.ready = false;
      this.settlePending();
      if (this.stopped) return;
      const error = this.lastError ?? new FlotillaError('unavailable', `connection closed (code ${code})`, 'the console reconnects by itself');
      this.scheduleReconnect(error);
    });
  }

  private settlePending(): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const resolve of waiting) {
      // The daemon may have acted before the link dropped, so the user must look before retrying.
      resolve({ ok: false, error: { code: 'unavailable', message: 'connection lost before the daemon answered', next: 'check the jobs view (J) before submitting again' } });
    }
  }

  private scheduleReconnect(error: FlotillaError): void {
    this.failures += 1;
    const delay = this.authRejected ? authRetryDelay(this.opts.random(), this.opts.backoff) : backoffDelay(this.failures, this.opts.random(), this.opts.backoff);
    this.opts.log.warn({ err: error.message, retryInMs: delay, failures: this.failures }, 'connection lost');
    this.opts.dispatch({ type: 'conn/lost', at: this.opts.now(), attempt: this.failures + 1, error: userText(error), retryInMs: delay });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private armWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    const ws = this.ws;
    this.watchdog = setTimeout(() => {
      this.opts.log.warn({ deadLinkMs: this.opts.deadLinkMs }, 'no traffic from the daemon; dropping the link');
      this.lastError = new FlotillaError('unavailable', `no answer from the daemon for ${Math.round(this.opts.deadLinkMs / 1000)}s`, 'the console reconnects by itself');
      ws?.terminate();
    }, this.opts.deadLinkMs);
  }

  private clearTimers(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    if (this.pinger) clearInterval(this.pinger);
    this.watchdog = null;
    this.pinger = null;
  }

  private send(frame: ClientFrame): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private subscribe(topic: string, sub: Subscription): void {
    const id = this.nextId++;
    const { query } = sub.params;
    if (query !== undefined) sub.awaiting = id;
    // A reconnect resumes the logs after the last live line taken, so nothing stored meanwhile is missed.
    const after = query !== undefined && sub.lastCursor !== null ? sub.lastCursor : undefined;
    this.send({ id, op: 'subscribe', topic, ...(query === undefined ? {} : { query }), ...(after === undefined ? {} : { after }) });
  }

  private unsubscribe(topic: string): void {
    this.send({ id: this.nextId++, op: 'unsubscribe', topic });
  }

  private onText(text: string): void {
    const parsed = parseServerFrame(text);
    if (!parsed.ok) {
      this.opts.log.warn({ reason: parsed.reason, bytes: text.length }, 'frame rejected');
      return;
    }
    this.onFrame(parsed.frame);
  }

  private onFrame(frame: InboundFrame): void {
    const { dispatch } = this.opts;
    switch (frame.kind) {
      case 'hello':
        this.failures = 0;
        this.ready = true;
        dispatch({ type: 'conn/open', at: this.opts.now(), identity: frame.identity });
        this.opts.log.info({ identity: frame.identity }, 'connected');
        for (const [topic, sub] of this.subscriptions) this.subscribe(topic, sub);
        return;
      case 'dropped':
        this.opts.log.warn({ topic: frame.topic, count: frame.count }, 'server dropped messages for a slow client');
        return this.route(frame);
      case 'fleet-snapshot':
      case 'fleet-patch':
      case 'cluster-snapshot':
      case 'jobs-snapshot':
      case 'jobs-patch':
      case 'logs-snapshot':
      case 'logs-lines':
      case 'pipeline-snapshot':
      case 'audit-snapshot':
      case 'audit-records':
      case 'metrics-snapshot':
      case 'metrics-points':
      case 'fleet-metrics-snapshot':
      case 'fleet-metrics-points':
        return this.route(frame);
      case 'reply': {
        this.answered(frame.id);
        const resolve = this.pending.get(frame.id);
        if (resolve) {
          this.pending.delete(frame.id);
          if (frame.error) this.opts.log.warn({ id: frame.id, error: frame.error }, 'call refused');
          resolve(frame.error ? { ok: false, error: frame.error } : { ok: true, result: frame.result });
          return;
        }
        if (frame.error) {
          this.opts.log.warn({ id: frame.id, error: frame.error }, 'request refused');
          dispatch({ type: 'message', text: `${frame.error.message}${frame.error.next ? ` — ${frame.error.next}` : ''}`, level: 'error' });
        }
        return;
      }
    }
  }

  /** The answer to a subscribe with a query came: the frames after it are that subscription's. */
  private answered(id: number): void {
    for (const sub of this.subscriptions.values()) if (sub.awaiting === id) sub.awaiting = null;
  }

  /** Hands a topic frame to its row of the table; a frame for a topic no longer followed, or for the subscription being replaced, is dropped. */
  private route(frame: TopicFrame): void {
    const sub = this.subscriptions.get(frame.topic);
    if (sub && sub.awaiting === null) sub.handle(frame, sub);
  }

  private onFleet(frame: TopicFrame, sub: Subscription): void {
    if (frame.kind === 'fleet-snapshot') {
      sub.rev = frame.rev;
      this.opts.dispatch({ type: 'fleet/snapshot', rev: frame.rev, rows: frame.rows });
      return;
    }
    if (frame.kind !== 'fleet-patch' || sub.rev === null) return;
    if (frame.fromRev !== sub.rev) {
      this.opts.log.info({ held: sub.rev, fromRev: frame.fromRev }, 'fleet patch out of sequence; resubscribing');
      sub.rev = null;
      this.unsubscribe('fleet');
      this.subscribe('fleet', sub);
      return;
    }
    sub.rev = frame.rev;
    this.opts.dispatch({ type: 'fleet/patch', rev: frame.rev, fromRev: frame.fromRev, changes: frame.changes });
  }

  private onCluster(frame: TopicFrame, sub: Subscription): void {
    if (frame.kind !== 'cluster-snapshot') return;
    sub.rev = frame.rev;
    this.opts.dispatch({ type: 'cluster/snapshot', name: frame.name, rev: frame.rev, data: frame.data });
  }

  private onLogs(frame: TopicFrame, sub: Subscription): void {
    const query = sub.params.query ?? '';
    const { dispatch } = this.opts;
    if (frame.kind === 'logs-snapshot') {
      const resumed = sub.lastCursor !== null;
      sub.rev = frame.rev;
      if (frame.rejected > 0) this.opts.log.warn({ rejected: frame.rejected }, 'malformed log records skipped');
      dispatch({ type: 'logs/snapshot', query, lines: frame.lines, more: frame.more, resumed, rejected: frame.rejected });
      if (resumed && frame.more) {
        // More was stored while the link was down than one snapshot holds: start afresh from the
        // newest lines; the view says that some lines in between are not shown.
        sub.lastCursor = null;
        this.unsubscribe('logs');
        this.subscribe('logs', sub);
      }
      return;
    }
    if (frame.kind === 'logs-lines') {
      if (sub.rev === null) return;
      sub.rev = frame.rev;
      const last = frame.lines.at(-1);
      if (last) sub.lastCursor = last.cursor;
      if (frame.rejected > 0) this.opts.log.warn({ rejected: frame.rejected }, 'malformed log records skipped');
      dispatch({ type: 'logs/lines', query, lines: frame.lines, rejected: frame.rejected });
      return;
    }
    if (frame.kind === 'dropped') dispatch({ type: 'logs/dropped', query, count: frame.count });
  }

  /** Every frame is a whole snapshot: the newest on this connection wins (a restarted daemon counts revs from 0 again). */
  private onPipeline(frame: TopicFrame, sub: Subscription): void {
    if (frame.kind !== 'pipeline-snapshot' || (sub.rev !== null && frame.rev < sub.rev)) return;
    sub.rev = frame.rev;
    this.opts.dispatch({ type: 'pipeline/snapshot', rev: frame.rev, snapshot: frame.snapshot });
  }

  /** The newest records on (re)subscribe, in place of what is held; then each new record. */
  private onAudit(frame: TopicFrame, sub: Subscription): void {
    if (frame.kind === 'audit-snapshot') {
      sub.rev = frame.rev;
      this.opts.dispatch({ type: 'audit/snapshot', records: frame.records });
    } else if (frame.kind === 'audit-records') {
      sub.rev = frame.rev;
      this.opts.dispatch({ type: 'audit/records', records: frame.records });
    } else if (frame.kind === 'dropped') {
      this.opts.dispatch({ type: 'audit/dropped', count: frame.count });
    }
  }

  /** A cluster's series: the last hour on (re)subscribe, then each report's values; points before the snapshot belong to no range held. */
  private onMetrics(frame: TopicFrame, sub: Subscription): void {
    if (frame.kind === 'metrics-snapshot') {
      sub.rev = frame.rev;
      this.opts.dispatch({ type: 'metrics/snapshot', cluster: frame.cluster, rev: frame.rev, data: frame.data });
      return;
    }
    if (frame.kind !== 'metrics-points' || sub.rev === null) return;
    sub.rev = frame.rev;
    this.opts.dispatch({ type: 'metrics/points', cluster: frame.cluster, rev: frame.rev, points: frame.points });
  }

  /** Every cluster's points, live only: the snapshot (no data) says from when they come; points before it are dropped. */
  private onFleetMetrics(frame: TopicFrame, sub: Subscription): void {
    if (frame.kind === 'fleet-metrics-snapshot') {
      sub.rev = frame.rev;
      this.opts.dispatch({ type: 'metrics/fleetSnapshot', rev: frame.rev });
      return;
    }
    if (frame.kind !== 'fleet-metrics-points' || sub.rev === null) return;
    sub.rev = frame.rev;
    this.opts.dispatch({ type: 'metrics/fleetPoints', rev: frame.rev, points: frame.points });
  }

  private onJobs(frame: TopicFrame, sub: Subscription): void {
    if (frame.kind === 'jobs-snapshot') {
      sub.rev = frame.rev;
      this.opts.dispatch({ type: 'jobs/snapshot', rev: frame.rev, jobs: frame.jobs });
      return;
    }
    // Jobs patches carry whole records, so one that skips a rev still leaves every job it names current.
    if (frame.kind !== 'jobs-patch' || sub.rev === null || frame.rev <= sub.rev) return;
    sub.rev = frame.rev;
    this.opts.dispatch({ type: 'jobs/patch', rev: frame.rev, changes: frame.changes });
  }
}

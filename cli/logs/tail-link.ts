// `flotilla logs tail`'s link to the daemon: the WS `logs` topic for live lines and REST pages to
// fill gaps (DESIGN.md §3.8). An I/O adapter around TailState, which decides what to print and
// fetch. A lost link is never the end: it says so on stderr, reconnects with jittered backoff and
// resubscribes after the last printed line. Only a refusal (bad token, no permission, a query the
// daemon rejects) ends the tail, with that error.
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { jitteredBackoffMs } from '../../core/backoff.js';
import { FlotillaError, toFlotillaError } from '../../core/errors.js';
import type { StoredLogRecord } from '../../core/logs/record.js';
import { wsUrl } from '../../tui/ws-client.js';
import type { FlotillaClient } from '../client.js';
import { type LinkFrame, parseLinkFrame } from './frames.js';
import { type TailStep, TailState } from './tail-state.js';

export interface LogTailOptions {
  server: string;
  /** An API token, or a signed-in session's (asked at every connect). */
  token: string | (() => Promise<string>);
  caFile: string | null;
  query: string;
  client: Pick<FlotillaClient, 'searchLogs'>;
  print(records: StoredLogRecord[]): void;
  /** A line for stderr: link lost, back, skipped records. */
  notice(text: string): void;
  random?: () => number;
  backoff?: { baseMs: number; capMs: number };
  pingIntervalMs?: number;
  /** No frame, ping or pong for this long means the link is dead even if TCP has not noticed. */
  deadLinkMs?: number;
}

/** Kinds of error that no reconnect can fix. */
const FATAL = new Set(['usage', 'unauthenticated', 'forbidden', 'rejected', 'not_found']);
const PAGE_LIMIT = 1000;
const SUBSCRIBE_ID = 1;

export class LogTail {
  private readonly state = new TailState();
  private readonly opts: Required<Omit<LogTailOptions, 'caFile'>> & { caFile: string | null };
  private readonly ca: Buffer | undefined;
  private readonly url: string;
  private ws: WebSocket | null = null;
  /** Bumped on every connection, so a REST page fetched for an older one is ignored. */
  private generation = 0;
  private failures = 0;
  private wasUp = false;
  private stopped = false;
  private lastError: string | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private pinger: NodeJS.Timeout | null = null;
  private settle: { resolve: () => void; reject: (e: FlotillaError) => void } | null = null;

  constructor(opts: LogTailOptions) {
    this.opts = { random: Math.random, backoff: { baseMs: 500, capMs: 15_000 }, pingIntervalMs: 15_000, deadLinkMs: 35_000, ...opts };
    this.url = wsUrl(opts.server);
    this.ca = this.url.startsWith('wss:') && opts.caFile ? readCa(opts.caFile) : undefined;
  }

  /** Runs until stop() (resolves) or a refusal (rejects with it). */
  run(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      this.connect();
    });
  }

  stop(): void {
    this.end();
    this.settle?.resolve();
  }

  private fail(e: FlotillaError): void {
    this.end();
    this.settle?.reject(e);
  }

  private end(): void {
    this.stopped = true;
    this.clearTimers();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.ws?.terminate();
    this.ws = null;
  }

  private connect(): void {
    if (this.stopped) return;
    const generation = ++this.generation;
    this.lastError = null;
    const token = this.opts.token;
    if (typeof token === 'string') {
      this.open(generation, token);
      return;
    }
    // A signed-in session: its token is asked at every connect, so a reconnect carries the refreshed one.
    token().then(
      (t) => {
        if (generation === this.generation && !this.stopped) this.open(generation, t);
      },
      (e: unknown) => this.fail(toFlotillaError(e)),
    );
  }

  private open(generation: number, token: string): void {
    const ws = new WebSocket(this.url, { headers: { Authorization: `Bearer ${token}` }, handshakeTimeout: 10_000, ...(this.ca ? { ca: this.ca } : {}) });
    this.ws = ws;
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      if (status === 401) return this.fail(new FlotillaError('unauthenticated', `the daemon at ${this.opts.server} rejected the token`, 'Sign in again with `flotilla login`, or pass --token or set FLOTILLA_TOKEN (`flotilla token create`).'));
      if (status === 403) return this.fail(new FlotillaError('forbidden', `the daemon at ${this.opts.server} refused the connection (403)`, 'Ask an admin for a role binding that may read logs, or check the allowed origins.'));
      this.lastError = `the daemon answered the upgrade with HTTP ${status}`;
      ws.terminate();
    });
    ws.on('open', () => {
      this.armWatchdog(ws);
      this.pinger = setInterval(() => {
        if (ws.readyState === WebSocket.OPEN) ws.ping();
      }, this.opts.pingIntervalMs);
    });
    ws.on('message', (data, isBinary) => {
      this.armWatchdog(ws);
      if (isBinary) return;
      const frame = parseLinkFrame(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
      if (frame === null) this.opts.notice('logs tail: skipped a malformed frame from the daemon');
      else this.onFrame(frame, ws, generation);
    });
    ws.on('ping', () => this.armWatchdog(ws));
    ws.on('pong', () => this.armWatchdog(ws));
    ws.on('error', (e: Error & { code?: string }) => {
      this.lastError ??= e.code ?? e.message;
    });
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      this.clearTimers();
      this.ws = null;
      if (this.stopped) return;
      this.scheduleReconnect(this.lastError ?? `connection closed (code ${code})`);
    });
  }

  private scheduleReconnect(reason: string): void {
    this.failures += 1;
    const delay = jitteredBackoffMs(this.failures, this.opts.random(), this.opts.backoff);
    const seconds = (delay / 1000).toFixed(1);
    this.opts.notice(this.wasUp ? `logs tail: lost the link to ${this.opts.server} (${reason}); reconnecting in ${seconds}s` : `logs tail: cannot reach ${this.opts.server} (${reason}); retrying in ${seconds}s`);
    this.wasUp = false;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private onFrame(frame: LinkFrame, ws: WebSocket, generation: number): void {
    switch (frame.kind) {
      case 'hello': {
        if (this.failures > 0) this.opts.notice(`logs tail: link to ${this.opts.server} is back; resuming after the last line printed`);
        this.failures = 0;
        this.wasUp = true;
        this.state.connected();
        const after = this.state.after;
        ws.send(JSON.stringify({ id: SUBSCRIBE_ID, op: 'subscribe', topic: 'logs', query: this.opts.query, ...(after === null ? {} : { after }) }));
        return;
      }
      case 'reply':
        if (frame.error) {
          const e = FlotillaError.fromBody(frame.error);
          if (FATAL.has(e.kind)) this.fail(e);
          else this.opts.notice(`logs tail: the daemon refused: ${e.message}`);
        }
        return;
      case 'snapshot':
        this.skipped(frame.rejected);
        return this.apply(this.state.snapshot(frame.lines, frame.more), generation);
      case 'lines':
        this.skipped(frame.rejected);
        return this.apply(this.state.lines(frame.lines), generation);
      case 'dropped':
        this.opts.notice(`logs tail: the daemon dropped ${frame.count} line(s) for this slow client; fetching them`);
        return this.apply(this.state.dropped(), generation);
      case 'other':
        return;
    }
  }

  private skipped(n: number): void {
    if (n > 0) this.opts.notice(`logs tail: skipped ${n} malformed record(s) from the daemon`);
  }

  private apply(step: TailStep, generation: number): void {
    if (step.print.length > 0) this.opts.print(step.print);
    if (step.fetch) void this.fetch(step.fetch.after, generation);
  }

  private async fetch(after: string, generation: number): Promise<void> {
    let result;
    try {
      result = await this.opts.client.searchLogs({ q: this.opts.query, limit: PAGE_LIMIT, after });
    } catch (e) {
      if (generation !== this.generation || this.stopped) return;
      const err = e instanceof FlotillaError ? e : new FlotillaError('unavailable', String(e), 'The tail reconnects by itself.');
      if (FATAL.has(err.kind)) return this.fail(err);
      // The next connection resubscribes after the cursor, which covers what this page would have.
      this.lastError = `filling a gap failed: ${err.message}`;
      this.ws?.terminate();
      return;
    }
    if (generation !== this.generation || this.stopped) return;
    this.skipped(result.rejected);
    this.apply(this.state.page(result.page), generation);
  }

  private armWatchdog(ws: WebSocket): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      this.lastError = `no answer from the daemon for ${Math.round(this.opts.deadLinkMs / 1000)}s`;
      ws.terminate();
    }, this.opts.deadLinkMs);
  }

  private clearTimers(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    if (this.pinger) clearInterval(this.pinger);
    this.watchdog = null;
    this.pinger = null;
  }
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new FlotillaError('config', `caFile ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'Point caFile in the client config at a readable PEM bundle, or remove it.', { cause: e });
  }
}

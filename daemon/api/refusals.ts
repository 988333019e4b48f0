// Records what the daemon refused before it knew who was asking — unauthenticated requests, refused
// WebSocket upgrades, connections over the caps — through one DenialSummary, so the audit log and
// the daemon log grow by a bounded number of records per source and window however hard the port
// is hammered. The first refusal of each window is written as it happens; the window's count
// follows in one summary record when it ends (docs/API.md "Limits"). Refusals of authenticated
// callers are not summarised: they are audited one by one where they happen.
import type { Logger } from '../../core/log.js';
import { ANONYMOUS_ACTOR } from '../auth/actor.js';
import { auditDenial } from '../auth/audited.js';
import type { AuditLog } from '../registry/audit.js';
import { sourceOf } from './connection-limits.js';
import { DenialSummary, summaryText, type DenialWindow } from './denial-summary.js';

/** How often closed windows are collected; a summary lands at most this long after its window ends. */
const COLLECT_MS = 1000;

export interface RefusalOptions {
  audit: AuditLog;
  log: Logger;
  windowSeconds: number;
  maxSources: number;
}

interface Kind {
  /** Plural noun for summaries: "unauthenticated requests". */
  what: string;
  /** Where they went, if not "to <subject>": "at the connection cap". */
  where?: string;
  /** Audit action when these refusals are audited (mutating routes only). */
  action?: string;
  /** Audit target of the summary: the route template, never the caller's raw path. */
  target: string;
  method: string;
  /** The reason audit records give: `unauthenticated`, or an OIDC refusal's code. */
  code: string;
}

export class Refusals {
  private readonly summary: DenialSummary;
  /** One per subject (a route template or a fixed name), so bounded by the route table. */
  private readonly kinds = new Map<string, Kind>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly opts: RefusalOptions) {
    this.summary = new DenialSummary({ windowMs: opts.windowSeconds * 1000, maxSources: opts.maxSources });
    this.timer = setInterval(() => this.collect(), Math.min(COLLECT_MS, opts.windowSeconds * 1000));
    this.timer.unref();
  }

  /**
   * A request without valid credentials; audited when `audit` names its action. `byReason` counts
   * each refusal reason (`code`) apart, so a window's first refused OIDC token of each kind is audited.
   */
  unauthenticated(r: { remote: string | undefined; method: string; route: string; path: string; reason: string; code?: string; audit?: string | undefined; byReason?: boolean }): void {
    const subject = r.byReason && r.code ? `${r.method} ${r.route} ${r.code}` : `${r.method} ${r.route}`;
    const code = r.byReason && r.code ? r.code : 'unauthenticated';
    if (!this.kinds.has(subject)) this.kinds.set(subject, { what: r.byReason && r.code ? `requests refused (${r.code})` : 'unauthenticated requests', method: r.method, target: r.route, code, ...(r.audit ? { action: r.audit } : {}) });
    const source = sourceOf(r.remote);
    if (!this.summary.hit(source, subject, Date.now()).sample) return;
    this.opts.log.warn({ remote: r.remote, method: r.method, route: r.route, reason: r.reason, code: r.code, summarisedFor: `${this.opts.windowSeconds}s` }, 'request refused: unauthenticated');
    if (r.audit) auditDenial(this.opts.audit, this.opts.log, { actor: ANONYMOUS_ACTOR, action: r.audit, target: r.path.slice(0, 200), detail: { reason: code, ...(r.byReason ? { message: r.reason.slice(0, 300) } : {}), method: r.method, source } });
  }

  /** A WebSocket upgrade refused before authentication finished (wrong path, Origin, or token). */
  upgradeRefused(r: { remote: string | undefined; status: number; reason: string; origin: string | undefined }): void {
    const subject = 'GET /ws';
    if (!this.kinds.has(subject)) this.kinds.set(subject, { what: 'refused WebSocket upgrades', method: 'GET', target: '/ws', code: 'unauthenticated' });
    if (!this.summary.hit(sourceOf(r.remote), subject, Date.now()).sample) return;
    this.opts.log.warn({ remote: r.remote, origin: r.origin?.slice(0, 100), status: r.status, reason: r.reason, summarisedFor: `${this.opts.windowSeconds}s` }, 'websocket upgrade refused');
  }

  /** A connection refused, or an idle one shed to admit another, at the connection caps. */
  connectionLimited(r: { remote: string | undefined; shed: boolean; reason: string; open: number }): void {
    const subject = r.shed ? 'shed connections' : 'refused connections';
    if (!this.kinds.has(subject)) this.kinds.set(subject, { what: r.shed ? 'idle connections closed' : 'connections refused', where: 'at the connection cap', method: 'TCP', target: subject, code: 'unauthenticated' });
    if (!this.summary.hit(sourceOf(r.remote), subject, Date.now()).sample) return;
    this.opts.log.warn({ remote: r.remote, reason: r.reason, open: r.open, summarisedFor: `${this.opts.windowSeconds}s` }, r.shed ? 'idle connection closed at the connection cap' : 'connection refused at the connection cap');
  }

  /** Writes the summaries of every window still open; call before the registry closes. */
  close(): void {
    clearInterval(this.timer);
    this.write(this.summary.drain());
  }

  private collect(): void {
    this.write(this.summary.due(Date.now()));
  }

  private write(windows: DenialWindow[]): void {
    for (const w of windows) {
      const kind = this.kinds.get(w.subject);
      if (!kind) continue;
      const text = summaryText(w, kind.what, kind.where);
      const figures = { source: w.source, count: w.count, firstAt: new Date(w.firstAt).toISOString(), lastAt: new Date(w.lastAt).toISOString(), windowSeconds: w.windowMs / 1000 };
      this.opts.log.warn({ ...figures, subject: w.subject }, text);
      if (kind.action) auditDenial(this.opts.audit, this.opts.log, { actor: ANONYMOUS_ACTOR, action: kind.action, target: kind.target, detail: { reason: kind.code, method: kind.method, ...figures, summary: text } });
    }
  }

}

// Typed REST client for docs/API.md, used by every CLI command and by the demo.
import type { MetricsRange } from '../core/metrics/api.js';
import type { MonitoringSettings, MonitoringSettingsInput, MonitoringView } from '../core/metrics/monitoring.js';
import type { PipelineSnapshot } from '../core/pipeline.js';
import {
  API_PREFIX,
  type AuditRecord,
  type AuditVerifyResult,
  type BindingCreateRequest,
  type BindingInfo,
  type ClusterAddRequest,
  type ClusterAddResponse,
  type ControlPlaneBackupInfo,
  type Identity,
  type InfoResponse,
  type ListResponse,
  type OidcLoginInfo,
  type TokenCreateRequest,
  type TokenCreateResponse,
  type TokenInfo,
} from '../core/api.js';
import type { AgentConfig } from '../config/schemas.js';
import { FlotillaError, type ErrorBody, type ErrorKind } from '../core/errors.js';
import type { ClusterDetail, ClusterRow, StoreRejection } from '../core/fleet.js';
import type { JobRecord } from '../core/jobs.js';
import type { LogSearchResponse } from '../core/logs/api.js';
import { parseSearchResponse } from './logs/frames.js';
import { NO_TOKEN_NEXT } from './client-config.js';
import { DaemonTimeout, fetchTransport, type HttpRequest, type Transport } from './transport.js';

/** A bearer that can change while the client lives: a signed-in session refreshes its ID token. */
export type TokenProvider = () => Promise<string>;

export interface ClientOptions {
  server: string;
  token?: string | TokenProvider | null;
  transport?: Transport;
  timeoutMs?: number;
}

/** POST /api/v1/jobs (docs/API.md). */
export interface JobSubmitRequest {
  cluster?: string;
  selector?: string;
  type: string;
  params: Record<string, unknown>;
  expires?: string;
  dryRun?: boolean;
  yes?: boolean;
}

export type JobSubmitResponse =
  | { jobs: JobRecord[]; fleetJob?: { id: string; selector: string; clusters: string[] } }
  | { dryRun: { clusters: { cluster: string; affected: string[]; warning?: string }[] } };

/** GET /api/v1/logs (core/logs/api.ts). */
export interface LogSearchParams {
  q: string;
  limit?: number;
  context?: number;
  before?: string;
  after?: string;
}

export interface Healthz {
  status: string;
  version: string;
}

const KIND_BY_STATUS: Record<number, ErrorKind> = { 400: 'usage', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 413: 'usage', 422: 'rejected', 503: 'unavailable' };

function isErrorBody(v: unknown): v is { error: ErrorBody } {
  const e = (v as { error?: unknown } | null)?.error as Partial<ErrorBody> | undefined;
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.message === 'string';
}

function networkCode(e: unknown): string {
  // fetch wraps the socket error: "fetch failed" with the useful part (ECONNREFUSED, "bad port") in cause
  const err = e as { code?: unknown; name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  for (const v of [err?.code, err?.cause?.code, err?.cause?.message]) if (typeof v === 'string' && v) return v;
  if (err?.name === 'TimeoutError') return 'timed out';
  return typeof err?.message === 'string' ? err.message : String(e);
}

const BACKUP_TIMEOUT_MS = 15 * 60 * 1000;

export class FlotillaClient {
  readonly server: string;
  private readonly token: string | TokenProvider | null;
  private readonly transport: Transport;
  private readonly timeoutMs: number;

  constructor(opts: ClientOptions) {
    this.server = opts.server.replace(/\/+$/, '');
    this.token = opts.token ?? null;
    this.transport = opts.transport ?? fetchTransport;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  private async call<T>(method: HttpRequest['method'], path: string, body?: unknown, authenticated = true, timeoutMs = this.timeoutMs): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (authenticated) {
      if (!this.token) throw new FlotillaError('unauthenticated', `no API token for ${this.server}`, NO_TOKEN_NEXT);
      headers.authorization = `Bearer ${typeof this.token === 'string' ? this.token : await this.token()}`;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    const url = `${this.server}${path}`;
    let res;
    try {
      res = await this.transport({ method, url, headers, timeoutMs, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (e) {
      if (e instanceof DaemonTimeout) {
        // running but slow: starting another daemon is the wrong advice, and a mutation may still land
        const maybeDone = method === 'GET' ? '' : ' The request may still take effect: check (e.g. `flotilla cluster list`, `flotilla job list`) before sending it again.';
        throw new FlotillaError('retry', `the daemon at ${this.server} took the connection but did not answer ${method} ${path} within ${e.timeoutMs / 1000} s`, `It is running but slow or overloaded: retry in a moment, and if it persists check the daemon host's load and daemon.log.${maybeDone}`, { cause: e });
      }
      throw new FlotillaError('unavailable', `cannot reach the daemon at ${this.server} (${networkCode(e)})`, 'start it with `flotilla daemon` or check --server/FLOTILLA_SERVER', { cause: e });
    }
    let parsed: unknown;
    try {
      parsed = res.text === '' ? null : JSON.parse(res.text);
    } catch {
      throw new FlotillaError('unavailable', `${method} ${url} answered ${res.status} with a body that is not JSON`, 'Check that --server/FLOTILLA_SERVER points at a Flotilla daemon.');
    }
    if (res.status >= 200 && res.status < 300) return parsed as T;
    if (isErrorBody(parsed)) throw FlotillaError.fromBody(parsed.error);
    const kind = KIND_BY_STATUS[res.status] ?? (res.status >= 500 ? 'internal' : 'usage');
    throw new FlotillaError(kind, `${method} ${url} failed with HTTP ${res.status}`, 'Check that --server/FLOTILLA_SERVER points at a Flotilla daemon of the same version, and see the daemon log.');
  }

  healthz(): Promise<Healthz> {
    return this.call('GET', '/healthz', undefined, false);
  }

  whoami(): Promise<Identity> {
    return this.call('GET', `${API_PREFIX}/whoami`);
  }

  info(): Promise<InfoResponse> {
    return this.call('GET', `${API_PREFIX}/info`);
  }

  async listClusters(): Promise<ClusterRow[]> {
    return (await this.call<ListResponse<ClusterRow>>('GET', `${API_PREFIX}/clusters`)).items;
  }

  /** A cluster's series over a range (GET /api/v1/metrics/range). */
  metricsRange(q: { cluster: string; series: string[]; since?: string; step?: string }): Promise<MetricsRange> {
    const params = new URLSearchParams({ cluster: q.cluster, series: q.series.join(','), ...(q.since ? { since: q.since } : {}), ...(q.step ? { step: q.step } : {}) });
    return this.call('GET', `${API_PREFIX}/metrics/range?${params.toString()}`);
  }

  pipeline(): Promise<PipelineSnapshot> {
    return this.call('GET', `${API_PREFIX}/pipeline`);
  }

  getCluster(name: string): Promise<ClusterDetail> {
    return this.call('GET', `${API_PREFIX}/clusters/${encodeURIComponent(name)}`);
  }

  addCluster(req: ClusterAddRequest): Promise<ClusterAddResponse<AgentConfig>> {
    return this.call('POST', `${API_PREFIX}/clusters`, req);
  }

  /** Switches a cluster's log transport: the daemon writes its logging config and submits configure-logging. */
  switchLogging(name: string, body: { transport: 'daemon' | 'rabbitmq'; outboxMaxBytes?: number }): Promise<{ cluster: string; version: number; transport: string; job: JobRecord }> {
    return this.call('POST', `${API_PREFIX}/clusters/${encodeURIComponent(name)}/logging`, body);
  }

  /** Sets a cluster's monitoring settings: the daemon signs its edge Prometheus config and submits configure-monitoring. */
  configureMonitoring(name: string, body: MonitoringSettingsInput): Promise<{ cluster: string; version: number; settings: MonitoringSettings; job: JobRecord }> {
    return this.call('POST', `${API_PREFIX}/clusters/${encodeURIComponent(name)}/monitoring`, body);
  }

  /** A cluster's monitoring settings, the version signed from them and the newest configure-monitoring job. */
  monitoring(name: string): Promise<MonitoringView> {
    return this.call('GET', `${API_PREFIX}/clusters/${encodeURIComponent(name)}/monitoring`);
  }

  /** Sets and removes a cluster's labels; the answer holds the labels it has now. */
  relabelCluster(name: string, body: { set: Record<string, string>; remove: string[] }): Promise<{ cluster: string; labels: Record<string, string> }> {
    return this.call('POST', `${API_PREFIX}/clusters/${encodeURIComponent(name)}/labels`, body);
  }

  removeCluster(name: string): Promise<{ removed: string }> {
    return this.call('DELETE', `${API_PREFIX}/clusters/${encodeURIComponent(name)}`);
  }

  async listRejections(opts: { cluster?: string; limit?: number } = {}): Promise<StoreRejection[]> {
    const q = new URLSearchParams();
    if (opts.cluster) q.set('cluster', opts.cluster);
    if (opts.limit !== undefined) q.set('limit', String(opts.limit));
    const qs = q.toString();
    return (await this.call<ListResponse<StoreRejection>>('GET', `${API_PREFIX}/rejections${qs ? `?${qs}` : ''}`)).items;
  }

  async listTokens(): Promise<TokenInfo[]> {
    return (await this.call<ListResponse<TokenInfo>>('GET', `${API_PREFIX}/tokens`)).items;
  }

  /** Audit records oldest first after `after` (a seq), at or after `since`; `next` is the seq to page on from, null at the end. */
  auditPage(q: { after: number; since?: string; limit: number }): Promise<{ items: AuditRecord[]; next: string | null }> {
    const params = new URLSearchParams({ after: String(q.after), limit: String(q.limit), ...(q.since ? { since: q.since } : {}) });
    return this.call('GET', `${API_PREFIX}/audit?${params.toString()}`);
  }

  /** The daemon re-walks the audit's hash chain (admin over the whole fleet). */
  verifyAudit(): Promise<AuditVerifyResult> {
    return this.call('GET', `${API_PREFIX}/audit/verify`);
  }

  async listBindings(): Promise<BindingInfo[]> {
    return (await this.call<ListResponse<BindingInfo>>('GET', `${API_PREFIX}/bindings`)).items;
  }

  createBinding(req: BindingCreateRequest): Promise<BindingInfo> {
    return this.call('POST', `${API_PREFIX}/bindings`, req);
  }

  removeBinding(id: string): Promise<{ removed: BindingInfo }> {
    return this.call('DELETE', `${API_PREFIX}/bindings/${encodeURIComponent(id)}`);
  }

  /** What `flotilla login` signs in with; asks no credentials. */
  oidcLoginInfo(): Promise<OidcLoginInfo> {
    return this.call('GET', `${API_PREFIX}/auth/oidc`, undefined, false);
  }

  createToken(req: TokenCreateRequest): Promise<TokenCreateResponse> {
    return this.call('POST', `${API_PREFIX}/tokens`, req);
  }

  revokeToken(id: string): Promise<{ revoked: string }> {
    return this.call('DELETE', `${API_PREFIX}/tokens/${encodeURIComponent(id)}`);
  }

  submitJob(req: JobSubmitRequest): Promise<JobSubmitResponse> {
    return this.call('POST', `${API_PREFIX}/jobs`, req);
  }

  async listJobs(opts: { cluster?: string; state?: string; fleetJobId?: string; limit?: number } = {}): Promise<JobRecord[]> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(opts)) if (v !== undefined) q.set(k, String(v));
    const qs = q.toString();
    return (await this.call<ListResponse<JobRecord>>('GET', `${API_PREFIX}/jobs${qs ? `?${qs}` : ''}`)).items;
  }

  getJob(id: string): Promise<JobRecord> {
    return this.call('GET', `${API_PREFIX}/jobs/${encodeURIComponent(id)}`);
  }

  cancelJob(id: string): Promise<{ job: JobRecord; cancel: JobRecord }> {
    return this.call('POST', `${API_PREFIX}/jobs/${encodeURIComponent(id)}/cancel`);
  }

  /** A page of log hits; hits that fail the record schema are skipped and counted in `rejected`. */
  async searchLogs(params: LogSearchParams): Promise<{ page: LogSearchResponse; rejected: number }> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
    const raw = await this.call<unknown>('GET', `${API_PREFIX}/logs?${q.toString()}`);
    const parsed = parseSearchResponse(raw);
    if (!parsed) throw new FlotillaError('unavailable', `GET ${API_PREFIX}/logs answered with a body that is not a log search result`, 'Check that --server/FLOTILLA_SERVER points at a Flotilla daemon of the same version.');
    return parsed;
  }

  async createBackup(): Promise<ControlPlaneBackupInfo> {
    // A snapshot of a large registry takes a while to compress and upload.
    return (await this.call<{ backup: ControlPlaneBackupInfo }>('POST', `${API_PREFIX}/backups`, undefined, true, BACKUP_TIMEOUT_MS)).backup;
  }

  async listBackups(): Promise<ControlPlaneBackupInfo[]> {
    return (await this.call<ListResponse<ControlPlaneBackupInfo>>('GET', `${API_PREFIX}/backups`)).items;
  }
}

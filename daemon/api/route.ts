// What a REST route is: the action it names, how it matches, and the handler with the daemon's
// context. Shared by the route tables (routes.ts, routes-jobs.ts, routes-backup.ts) and the server.
import type { IncomingMessage } from 'node:http';
import type { Identity } from '../../core/api.js';
import type { AuthAction } from '../../core/roles.js';
import type { AuthTarget } from '../auth/authorize.js';
import type { DaemonConfig } from '../../config/schemas.js';
import type { Bindings } from '../auth/bindings.js';
import type { BackupService } from '../backup/service.js';
import type { FleetService } from '../fleet/service.js';
import type { JobService } from '../jobs/service.js';
import type { SwitchRequest, SwitchResponse } from '../logging/switch.js';
import type { LogService } from '../logs/service.js';
import type { MetricsService } from '../metrics/service.js';
import type { MonitoringRequest, MonitoringResponse } from '../monitoring/configure.js';
import type { Registry } from '../registry/registry.js';
import { decodePathParam } from './path-param.js';

export interface ApiContext {
  config: DaemonConfig;
  registry: Registry;
  service: FleetService;
  jobs: JobService;
  backups: BackupService;
  logs: LogService;
  metrics: MetricsService;
  controlPlane: { keyid: string; publicKey: string };
  storeDescription: string;
  registryPath: string;
  publicUrl(): string;
  onTokenRevoked(tokenId: string): void;
  /** Every binding, daemon.yaml's and the registry's. */
  bindings: Bindings;
  /** A binding was made or removed: sockets whose grants it changed are closed, and their clients sign in again. */
  onBindingsChanged(): void;
  /** Switches a cluster's log transport (daemon/logging/switch.ts). */
  switchLogging(who: Identity, req: SwitchRequest): Promise<SwitchResponse>;
  /** Sets a cluster's monitoring settings and submits configure-monitoring (daemon/monitoring/configure.ts). */
  configureMonitoring(who: Identity, req: MonitoringRequest): Promise<MonitoringResponse>;
}

export interface RouteCall {
  req: IncomingMessage;
  params: string[];
  query: URLSearchParams;
  identity: Identity;
}

interface RouteBase {
  method: 'GET' | 'POST' | 'DELETE';
  /** Template for metrics labels and docs, e.g. /api/v1/clusters/:name. */
  path: string;
  pattern: RegExp;
}

/** The default: a bearer token (API token) authenticates the caller, and authorize decides on the action. */
export interface BearerRoute extends RouteBase {
  auth?: 'bearer';
  action: AuthAction;
  /** A mutation: every call, allowed or denied, writes one audit record named after the action. */
  mutating?: true;
  /** The clusters the call reaches, for authorize (default: the action as such); may throw a usage error. */
  target?(ctx: ApiContext, call: Omit<RouteCall, 'identity'>): AuthTarget;
  handle(ctx: ApiContext, call: RouteCall): Promise<[number, unknown]>;
}

/** What a signed-body route gets: no identity, because none was claimed; the handler verifies the body's signature. */
export interface SignedBodyCall {
  req: IncomingMessage;
  params: string[];
  query: URLSearchParams;
  /** The peer address, for rate-limited refusal records. */
  remote: string | undefined;
}

/**
 * A route whose body is a DSSE envelope signed by a pinned agent key: the signature is the
 * authentication (POST /api/v1/ingest/logs). No bearer token is asked for, and the handler must
 * refuse everything it cannot verify. The server's dispatch is still the one place that decides
 * which of the two a request goes through.
 */
export interface SignedBodyRoute extends RouteBase {
  auth: 'signed-body';
  /** Names the signed payload, for docs/API.md: the payload type the handler opens. */
  payloadType: string;
  handle(ctx: ApiContext, call: SignedBodyCall): Promise<[number, unknown]>;
}

/** A route anyone may call, with no credentials: only what a client needs before it can have any (GET /api/v1/auth/oidc). */
export interface PublicRoute extends RouteBase {
  auth: 'none';
  handle(ctx: ApiContext): Promise<[number, unknown]>;
}

export type Route = BearerRoute | SignedBodyRoute | PublicRoute;

/** The i-th captured path segment, percent-decoded (a malformed escape is a 400). */
export function pathParam(call: { params: string[] }, i = 0): string {
  return decodePathParam(call.params[i] ?? '');
}

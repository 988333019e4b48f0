// What a REST route is: the action it names, how it matches, and the handler with the daemon's
// context. Shared by the route tables (routes.ts, routes-jobs.ts, routes-backup.ts) and the server.
import type { IncomingMessage } from 'node:http';
import type { Identity } from '../../core/api.js';
import type { AuthAction } from '../../core/roles.js';
import type { DaemonConfig } from '../../config/schemas.js';
import type { BackupService } from '../backup/service.js';
import type { FleetService } from '../fleet/service.js';
import type { JobService } from '../jobs/service.js';
import type { Registry } from '../registry/registry.js';
import { decodePathParam } from './path-param.js';

export interface ApiContext {
  config: DaemonConfig;
  registry: Registry;
  service: FleetService;
  jobs: JobService;
  backups: BackupService;
  controlPlane: { keyid: string; publicKey: string };
  storeDescription: string;
  registryPath: string;
  publicUrl(): string;
  onTokenRevoked(tokenId: string): void;
}

export interface RouteCall {
  req: IncomingMessage;
  params: string[];
  query: URLSearchParams;
  identity: Identity;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Template for metrics labels and docs, e.g. /api/v1/clusters/:name. */
  path: string;
  pattern: RegExp;
  action: AuthAction;
  /** A mutation: every call, allowed or denied, writes one audit record named after the action. */
  mutating?: true;
  handle(ctx: ApiContext, call: RouteCall): Promise<[number, unknown]>;
}

/** The i-th captured path segment, percent-decoded (a malformed escape is a 400). */
export function pathParam(call: RouteCall, i = 0): string {
  return decodePathParam(call.params[i] ?? '');
}

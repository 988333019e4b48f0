// What an Elasticsearch answer means for the sink: each bulk item, and each failed request. Pure: the
// client's errors are read by their name and status (@elastic/transport's error classes), so this is
// tested without a server.
import { FlotillaError } from '../../../core/errors.js';

export type ItemOutcome =
  | { kind: 'created' }
  /** 409: a document with this _id is in the index already. */
  | { kind: 'exists' }
  /** 429 or 5xx for this item: it was not applied; send it again. */
  | { kind: 'retry'; reason: string }
  /** The index does not exist and the cluster does not create indices on write. */
  | { kind: 'missing_index' }
  /** Any other 4xx: Elasticsearch will never take this document. */
  | { kind: 'rejected'; reason: string };

interface EsErrorBody {
  type?: unknown;
  reason?: unknown;
  caused_by?: EsErrorBody;
}

/** `type: reason (caused by: type: reason)`, at most 500 characters. */
export function errorReason(error: unknown): string {
  const e = (error ?? {}) as EsErrorBody;
  const one = (x: EsErrorBody) => `${typeof x.type === 'string' ? x.type : 'error'}: ${typeof x.reason === 'string' ? x.reason : ''}`;
  const text = e.caused_by ? `${one(e)} (caused by ${one(e.caused_by)})` : one(e);
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}

export function itemOutcome(item: unknown): ItemOutcome {
  const op = item && typeof item === 'object' ? (Object.values(item as Record<string, unknown>)[0] as { status?: unknown; error?: EsErrorBody } | undefined) : undefined;
  const status = typeof op?.status === 'number' ? op.status : 0;
  if (status === 201 || status === 200) return { kind: 'created' };
  if (status === 409) return { kind: 'exists' };
  if (status === 404 && op?.error?.type === 'index_not_found_exception') return { kind: 'missing_index' };
  if (status === 429 || status >= 500 || status === 0) return { kind: 'retry', reason: status === 0 ? 'no status in the bulk answer' : errorReason(op?.error) };
  return { kind: 'rejected', reason: errorReason(op?.error) };
}

/** A client error as the sink sees it: @elastic/transport's class name and, for a ResponseError, the HTTP status and body. */
export interface ClientFailure {
  name?: string;
  message?: string;
  meta?: { statusCode?: number | null; body?: unknown };
}

export type RequestOutcome =
  /** Not applied (a 429, no living node): send it again. */
  | { kind: 'retry'; reason: string }
  /** It may or may not have been applied (a reset, a timeout, a 502 from a proxy): send it again, and treat a 409 as possibly our own. */
  | { kind: 'retry_ambiguous'; reason: string }
  | { kind: 'fatal'; error: FlotillaError };

function statusOf(e: ClientFailure): number | undefined {
  return typeof e.meta?.statusCode === 'number' ? e.meta.statusCode : undefined;
}

/** What a failed request means, for a sink talking to `where` (the node URLs). */
export function requestOutcome(e: unknown, where: string): RequestOutcome {
  const f = (e ?? {}) as ClientFailure;
  const status = statusOf(f);
  const message = f.message ?? String(e);
  if (certificateProblem(f)) return { kind: 'fatal', error: failure(e, where) };
  switch (f.name) {
    case 'ConnectionError':
    case 'TimeoutError':
      return { kind: 'retry_ambiguous', reason: `${f.name}: ${message}` };
    case 'NoLivingConnectionsError':
      return { kind: 'retry', reason: message };
    case 'ResponseError':
      if (status === 429) return { kind: 'retry', reason: `429 ${errorReason((f.meta?.body as { error?: unknown } | undefined)?.error)}` };
      if (status !== undefined && status >= 500) return { kind: 'retry_ambiguous', reason: `${status} ${errorReason((f.meta?.body as { error?: unknown } | undefined)?.error)}` };
      return { kind: 'fatal', error: failure(e, where) };
    default:
      return { kind: 'fatal', error: failure(e, where) };
  }
}

/** A TLS verification failure: waiting will not fix it, a CA will. */
function certificateProblem(f: ClientFailure): boolean {
  return f.name === 'ConnectionError' && /certificate|self[- ]signed|CERT_|unable to verify/i.test(f.message ?? '');
}

/** A client error as a FlotillaError that says what to fix. */
export function failure(e: unknown, where: string, doing = 'request'): FlotillaError {
  if (e instanceof FlotillaError) return e;
  const f = (e ?? {}) as ClientFailure;
  const status = statusOf(f);
  const reason = f.name === 'ResponseError' ? errorReason((f.meta?.body as { error?: unknown } | undefined)?.error ?? f.meta?.body) : (f.message ?? String(e));
  const opts = { cause: e, details: { nodes: where, ...(status === undefined ? {} : { status }) } };
  if (f.name === 'ProductNotSupportedError') {
    return new FlotillaError('config', `${where} does not answer as Elasticsearch (no "x-elastic-product: Elasticsearch" header)`, 'Point logs.sink.nodes at Elasticsearch 9 itself (not OpenSearch, and not a proxy that drops response headers).', opts);
  }
  if (certificateProblem(f)) {
    return new FlotillaError('config', `Elasticsearch at ${where} presented a certificate this daemon does not trust: ${reason}`, 'Set logs.sink.caFile to the PEM of the CA that signed it (Elasticsearch’s config/certs/http_ca.crt), and check the host name in logs.sink.nodes.', opts);
  }
  if (status === 401) return new FlotillaError('config', `Elasticsearch at ${where} refused the credentials (401): ${reason}`, 'Check logs.sink.auth: the API key in apiKeyFile (the base64 "encoded" value), or username and passwordFile.', opts);
  if (status === 403) {
    return new FlotillaError('config', `Elasticsearch at ${where} refused the ${doing} (403): ${reason}`, 'Give the user or API key the privileges in docs/LOGS.md ("Elasticsearch sink"): manage_index_templates and monitor on the cluster; create_index, create_doc, read, delete, delete_index, view_index_metadata and monitor on the index prefix.', opts);
  }
  if (f.name === 'ConnectionError' || f.name === 'TimeoutError' || f.name === 'NoLivingConnectionsError' || status === 429 || (status !== undefined && status >= 500)) {
    return new FlotillaError('unavailable', `Elasticsearch at ${where} is unavailable for the ${doing}: ${reason}`, 'Check that Elasticsearch is up and reachable (logs.sink.nodes, logs.sink.caFile); ingest is answered 503 meanwhile, and agents keep their lines until it is back.', opts);
  }
  if (f.name === 'ConfigurationError') return new FlotillaError('config', `the Elasticsearch client refused its configuration: ${reason}`, 'Check logs.sink in daemon.yaml (nodes, auth, caFile).', opts);
  return new FlotillaError('internal', `Elasticsearch at ${where} refused the ${doing}${status === undefined ? '' : ` (${status})`}: ${reason}`, 'Check the daemon log; this is a bug in the sink or an Elasticsearch version it does not support (it needs 9.x).', opts);
}

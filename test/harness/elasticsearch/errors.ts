// Elasticsearch's error bodies: `{error: {root_cause: [...], type, reason, ...}, status}`, with the
// types and wording the real server uses for the cases the test server models.

export class EsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly reason: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(`${type}: ${reason}`);
  }

  /** The error object as it appears inside a bulk item or a root cause. */
  item(): Record<string, unknown> {
    return { type: this.type, reason: this.reason, ...this.extra };
  }

  body(): Record<string, unknown> {
    return { error: { root_cause: [this.item()], ...this.item() }, status: this.status };
  }
}

export function indexNotFound(index: string): EsError {
  return new EsError(404, 'index_not_found_exception', `no such index [${index}]`, { 'resource.type': 'index_or_alias', 'resource.id': index, index_uuid: '_na_', index });
}

export function parsing(reason: string, status = 400): EsError {
  return new EsError(status, 'parsing_exception', reason, { line: 1, col: 1 });
}

export function illegal(reason: string): EsError {
  return new EsError(400, 'illegal_argument_exception', reason);
}

export function badRequest(type: string, reason: string): EsError {
  return new EsError(400, type, reason);
}

/** A JSON value as Elasticsearch shows it in a message or keeps it as a term: objects as JSON. */
export function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

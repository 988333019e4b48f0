// How a sealed secret (core/secrets.ts) shows anywhere outside the agent: as "<sealed>". The REST
// API, the jobs topic, the CLI and the console all mask with this one rule, so no surface shows more
// than another. The store holds only ciphertext anyway; masking keeps even that off screens and out
// of responses, where a box could be copied into another job.

export const SEALED_PLACEHOLDER = '<sealed>';

function looksSealed(value: Record<string, unknown>): boolean {
  return typeof value.alg === 'string' && 'ct' in value;
}

/** The value with anything under a `sealed` key, and any object shaped like a sealed box, at any depth, replaced by "<sealed>". */
export function maskSealed(value: unknown, key = ''): unknown {
  if (key === 'sealed') return SEALED_PLACEHOLDER;
  if (Array.isArray(value)) return value.map((v) => maskSealed(v));
  if (typeof value === 'object' && value !== null) {
    const obj = value as Record<string, unknown>;
    if (looksSealed(obj)) return SEALED_PLACEHOLDER;
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, maskSealed(v, k)]));
  }
  return value;
}

/** Job params or result output for display: each field masked by maskSealed. */
export function maskSealedFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, maskSealed(v, k)]));
}

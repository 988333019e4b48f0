// DSSE envelopes (https://github.com/secure-systems-lab/dsse) signed with Ed25519. Everything read
// from the store goes through openEnvelope; a failure names one RejectionReason so it can be counted,
// audited and shown to an operator.
import { sign, verify, type KeyObject } from 'node:crypto';
import { TextDecoder } from 'node:util';
import type { SigningKey } from './keys.js';

export const PAYLOAD_TYPES = {
  status: 'application/vnd.flotilla.status+json',
  registration: 'application/vnd.flotilla.registration+json',
  job: 'application/vnd.flotilla.job+json',
  result: 'application/vnd.flotilla.result+json',
  config: 'application/vnd.flotilla.config+json',
  backup: 'application/vnd.flotilla.backup+json',
  controlPlaneBackup: 'application/vnd.flotilla.controlplane-backup+json',
  logBatch: 'application/vnd.flotilla.log-batch+json',
} as const;

export interface Envelope {
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

export type RejectionReason =
  | 'oversize'
  | 'invalid_utf8'
  | 'malformed_json'
  | 'malformed_envelope'
  | 'wrong_payload_type'
  | 'unknown_key'
  | 'bad_signature'
  | 'malformed_payload'
  | 'wrong_cluster'
  | 'stale'
  | 'unknown_cluster'
  | 'token_reused'
  | 'bad_token';

export class EnvelopeRejected extends Error {
  constructor(
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(message);
    this.name = 'EnvelopeRejected';
  }
}

/** DSSE v1 pre-authentication encoding: what the signature actually covers. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${payload.length} `, 'utf8'),
    payload,
  ]);
}

export function sealEnvelope(payloadType: string, payload: unknown, key: SigningKey): Buffer {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const sig = sign(null, pae(payloadType, body), key.privateKey);
  // The bytes of JSON.stringify(envelope), written around the payload's base64, which needs no
  // escaping: the large string (a log batch is megabytes) is then neither scanned again by
  // JSON.stringify nor UTF-8 encoded, only copied.
  const head = `{"payloadType":${JSON.stringify(payloadType)},"payload":"`;
  const tail = `","signatures":[${JSON.stringify({ keyid: key.keyid, sig: sig.toString('base64') } satisfies Envelope['signatures'][number])}]}`;
  const payloadB64 = body.toString('base64');
  const headBytes = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headBytes + payloadB64.length + Buffer.byteLength(tail, 'utf8'));
  out.write(head, 0, 'utf8');
  out.write(payloadB64, headBytes, 'latin1');
  out.write(tail, headBytes + payloadB64.length, 'utf8');
  return out;
}

export interface OpenOptions {
  payloadType: string;
  maxBytes: number;
  /** Returns the key trusted under this id for this envelope, or undefined. */
  keyFor: (keyid: string) => KeyObject | undefined;
}

export interface Opened {
  payload: unknown;
  keyid: string;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new EnvelopeRejected('invalid_utf8', `${what} is not valid UTF-8`);
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new EnvelopeRejected('malformed_json', `${what} is not valid JSON`);
  }
}

/**
 * The payload's bytes, if the text is their canonical base64 (what every encoder writes: the
 * standard alphabet, with padding). Decoding and encoding again costs a fifth of a regular
 * expression over a half-megabyte log batch, and is the stricter check.
 */
function canonicalBase64(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

function asEnvelope(value: unknown): Envelope & { body: Buffer } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EnvelopeRejected('malformed_envelope', 'envelope is not a JSON object');
  }
  const v = value as Record<string, unknown>;
  if (typeof v.payloadType !== 'string' || typeof v.payload !== 'string' || !Array.isArray(v.signatures)) {
    throw new EnvelopeRejected('malformed_envelope', 'envelope lacks payloadType, payload or signatures');
  }
  const body = canonicalBase64(v.payload);
  if (!body) throw new EnvelopeRejected('malformed_envelope', 'payload is not base64');
  const signatures = v.signatures.map((s: unknown) => {
    const sig = s as Record<string, unknown> | null;
    if (typeof sig?.keyid !== 'string' || typeof sig.sig !== 'string' || !BASE64.test(sig.sig)) {
      throw new EnvelopeRejected('malformed_envelope', 'signature entry lacks keyid or base64 sig');
    }
    return { keyid: sig.keyid, sig: sig.sig };
  });
  return { payloadType: v.payloadType, payload: v.payload, signatures, body };
}

/**
 * Verifies and opens an envelope read from untrusted storage. Checks, in order: size, UTF-8, JSON,
 * shape, payload type, that some signature is by a trusted key and valid, then parses the payload.
 * The caller still validates the payload's own schema and its cluster.
 */
export function openEnvelope(raw: Buffer, opts: OpenOptions): Opened {
  if (raw.length > opts.maxBytes) {
    throw new EnvelopeRejected('oversize', `envelope is ${raw.length} bytes, over the ${opts.maxBytes}-byte limit`);
  }
  const envelope = asEnvelope(parseJson(decodeUtf8(raw, 'envelope'), 'envelope'));
  if (envelope.payloadType !== opts.payloadType) {
    throw new EnvelopeRejected('wrong_payload_type', `payload type ${JSON.stringify(envelope.payloadType).slice(0, 80)} where ${opts.payloadType} was expected`);
  }
  if (envelope.signatures.length === 0) throw new EnvelopeRejected('bad_signature', 'envelope is not signed');
  const { body } = envelope;
  const message = pae(envelope.payloadType, body);
  let sawKnownKey = false;
  for (const s of envelope.signatures) {
    const key = opts.keyFor(s.keyid);
    if (!key) continue;
    sawKnownKey = true;
    if (verify(null, message, key, Buffer.from(s.sig, 'base64'))) {
      return { payload: parseJson(decodeUtf8(body, 'payload'), 'payload'), keyid: s.keyid };
    }
  }
  if (!sawKnownKey) {
    const ids = envelope.signatures.map((s) => s.keyid.slice(0, 48)).join(', ');
    throw new EnvelopeRejected('unknown_key', `signed by unknown key ${ids}`);
  }
  throw new EnvelopeRejected('bad_signature', 'signature does not verify');
}

// Air-gap transfer: one cluster's signed objects copied between two stores through a plain directory
// on removable media. The media is as untrusted as the store: every envelope is verified on the way
// out and again on the way in, and the manifest's sha256 catches anything changed in between.
import { createHash, type KeyObject } from 'node:crypto';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { EnvelopeRejected, openEnvelope, PAYLOAD_TYPES } from '../dsse.js';
import { FlotillaError } from '../errors.js';
import { JOB_LIMITS, JobPayloadSchema, JobResultSchema } from '../jobs.js';
import { publicKeyFromBase64 } from '../keys.js';
import { RegistrationSchema } from '../registration.js';
import { firstIssue } from '../schema-issue.js';
import { assertClusterName, assertValidKey, parseClusterKey, seqFromKey, storeKeys, type ObjectStore } from './types.js';

/** jobs: control plane → edge (jobs, configs, backups to restore); results: edge → control plane. */
export type TransferDirection = 'jobs' | 'results';

type Kind = 'job' | 'config' | 'backup' | 'result' | 'registration' | 'status';

const KIND_BYTES: Record<Kind, number> = {
  job: JOB_LIMITS.maxEnvelopeBytes,
  config: 4 * 1024 * 1024,
  backup: 256 * 1024 * 1024,
  result: JOB_LIMITS.maxResultBytes,
  registration: 64 * 1024,
  status: 64 * 1024 * 1024,
};

const DIRECTION_KINDS: Record<TransferDirection, Kind[]> = {
  jobs: ['job', 'config', 'backup'],
  results: ['result', 'registration', 'status', 'backup'],
};

/** Objects whose key is their identity: a different one already in the target is never overwritten. */
const WRITE_ONCE: ReadonlySet<Kind> = new Set(['job', 'result', 'backup']);

export const MANIFEST_FILE = 'manifest.json';
const OBJECTS_DIR = 'objects';
const MANIFEST_MAX_BYTES = 32 * 1024 * 1024;

export const TransferManifestSchema = z
  .object({
    format: z.literal('flotilla-airgap/v1'),
    cluster: z.string().min(1).max(63),
    direction: z.enum(['jobs', 'results']),
    createdAt: z.iso.datetime(),
    source: z.string().max(1024),
    entries: z.array(z.object({ key: z.string().min(1).max(1024), sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().min(0) }).strict()).max(1_000_000),
  })
  .strict();
export type TransferManifest = z.infer<typeof TransferManifestSchema>;

export interface TrustedKey {
  keyid: string;
  publicKey: KeyObject;
}

export interface TransferTrust {
  /** Verifies jobs and configs; required to export or import the jobs direction. */
  controlPlane?: TrustedKey;
  /**
   * On the daemon side agent-signed objects (results, status, registration) are checked against the
   * manifest's sha256 only: the daemon verifies them against the agent key it pinned when it reads them.
   */
  daemonSide?: boolean;
}

export interface Refusal {
  key: string;
  reason: string;
  message: string;
}

export interface TransferReport {
  cluster: string;
  direction: TransferDirection;
  /** Written to the target (or to the directory, on export). */
  copied: string[];
  /** Already in the target with the same bytes. */
  unchanged: string[];
  refused: Refusal[];
}

function sha256(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

function kindOf(key: string, cluster: string): Kind | null {
  const parsed = parseClusterKey(key);
  if (!parsed || parsed.cluster !== cluster) return null;
  const rest = parsed.rest;
  if (/^jobs\/\d{12}\.json$/.test(rest)) return 'job';
  if (/^results\/\d{12}\.json$/.test(rest)) return 'result';
  if (/^config\/[^/]+\.json$/.test(rest)) return 'config';
  if (rest.startsWith('backups/')) return 'backup';
  if (rest === 'registration.json') return 'registration';
  if (rest === 'status.json') return 'status';
  return null;
}

class Refused extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

function refusalOf(key: string, e: unknown): Refusal {
  if (e instanceof Refused || e instanceof EnvelopeRejected) return { key, reason: e.reason, message: e.message };
  throw e;
}

/** The agent's key from its own registration in a store, verified as self-signed (proof of possession). */
export async function agentKeyFromStore(store: ObjectStore, cluster: string): Promise<TrustedKey | undefined> {
  const obj = await store.get(storeKeys.registration(cluster), KIND_BYTES.registration);
  if (!obj) return undefined;
  try {
    const envelope = JSON.parse(obj.body.toString('utf8')) as { payload?: unknown };
    const claimed = RegistrationSchema.parse(JSON.parse(Buffer.from(String(envelope.payload), 'base64').toString('utf8')));
    const publicKey = publicKeyFromBase64(claimed.publicKey);
    const opened = openEnvelope(obj.body, { payloadType: PAYLOAD_TYPES.registration, maxBytes: KIND_BYTES.registration, keyFor: (id) => (id === claimed.keyid ? publicKey : undefined) });
    const reg = RegistrationSchema.parse(opened.payload);
    return reg.cluster === cluster ? { keyid: reg.keyid, publicKey } : undefined;
  } catch {
    return undefined;
  }
}

interface Verifier {
  trust: TransferTrust;
  agentKey: TrustedKey | undefined;
}

function keyed(k: TrustedKey | undefined): (id: string) => KeyObject | undefined {
  return (id) => (k && id === k.keyid ? k.publicKey : undefined);
}

function parsePayload<T>(schema: z.ZodType<T>, payload: unknown, key: string): T {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new Refused('malformed_payload', `${key}: payload fails its schema: ${firstIssue(parsed.error, '(payload)')}`);
  return parsed.data;
}

/** Throws Refused or EnvelopeRejected when the object must not cross; returns normally otherwise. */
function verifyObject(kind: Kind, key: string, cluster: string, body: Buffer, v: Verifier): void {
  if (body.length > KIND_BYTES[kind]) throw new EnvelopeRejected('oversize', `${body.length} bytes, over the ${KIND_BYTES[kind]}-byte limit for ${kind} objects`);
  switch (kind) {
    case 'backup':
      // Backup manifests and objects are verified (signature and hashes) by the agent or daemon that reads them.
      return;
    case 'job': {
      if (!v.trust.controlPlane) throw new Refused('unknown_key', 'no control-plane key to verify jobs against');
      const opened = openEnvelope(body, { payloadType: PAYLOAD_TYPES.job, maxBytes: KIND_BYTES.job, keyFor: keyed(v.trust.controlPlane) });
      const job = parsePayload(JobPayloadSchema, opened.payload, key);
      if (job.cluster !== cluster) throw new EnvelopeRejected('wrong_cluster', `job for cluster "${job.cluster.slice(0, 63)}" under ${cluster}`);
      if (job.seq !== seqFromKey(key)) throw new Refused('seq_mismatch', `job seq ${job.seq} stored under ${key}`);
      return;
    }
    case 'config': {
      if (!v.trust.controlPlane) throw new Refused('unknown_key', 'no control-plane key to verify configs against');
      const opened = openEnvelope(body, { payloadType: PAYLOAD_TYPES.config, maxBytes: KIND_BYTES.config, keyFor: keyed(v.trust.controlPlane) });
      const target = (opened.payload as { cluster?: unknown } | null)?.cluster;
      if (target !== undefined && target !== cluster) throw new EnvelopeRejected('wrong_cluster', `config for cluster ${JSON.stringify(target).slice(0, 80)} under ${cluster}`);
      return;
    }
    case 'registration':
    case 'status':
    case 'result': {
      if (v.trust.daemonSide) return;
      if (kind === 'registration') return; // self-signed; the daemon checks its token proof
      if (!v.agentKey) throw new Refused('unknown_key', `no registration of cluster ${cluster} in the target store to verify agent-signed objects against`);
      const payloadType = kind === 'result' ? PAYLOAD_TYPES.result : PAYLOAD_TYPES.status;
      const opened = openEnvelope(body, { payloadType, maxBytes: KIND_BYTES[kind], keyFor: keyed(v.agentKey) });
      if (kind === 'result') {
        const result = parsePayload(JobResultSchema, opened.payload, key);
        if (result.cluster !== cluster) throw new EnvelopeRejected('wrong_cluster', `result for cluster "${result.cluster.slice(0, 63)}" under ${cluster}`);
        if (result.seq !== seqFromKey(key)) throw new Refused('seq_mismatch', `result seq ${result.seq} stored under ${key}`);
      }
      return;
    }
  }
}

function objectPath(dir: string, key: string): string {
  assertValidKey(key);
  return join(dir, OBJECTS_DIR, ...key.split('/'));
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw e;
  }
}

function mediaError(dir: string, e: unknown): FlotillaError {
  if (e instanceof FlotillaError) return e;
  return new FlotillaError('unavailable', `transfer directory ${dir}: ${(e as Error).message}`, 'Check that the removable media is mounted and writable by this user.', { cause: e });
}

/**
 * Copies a cluster's objects for one direction from a store into an empty directory, with a manifest
 * of keys and sha256. Objects that fail verification are left out and reported.
 */
export async function exportTransfer(store: ObjectStore, dir: string, opts: { cluster: string; direction: TransferDirection; trust: TransferTrust }): Promise<TransferReport> {
  assertClusterName(opts.cluster);
  if (opts.direction === 'jobs' && !opts.trust.controlPlane) {
    throw new FlotillaError('usage', 'exporting jobs needs the control-plane public key to verify them', 'Pass --config with the daemon config (or an agent bundle), or --trust BUNDLE.yaml.');
  }
  if (!(await isEmptyOrMissing(dir).catch((e: unknown) => Promise.reject(mediaError(dir, e))))) {
    throw new FlotillaError('conflict', `${dir} is not empty`, 'Export into a new or empty directory, so an old transfer is never mixed into a new one.');
  }
  const kinds = DIRECTION_KINDS[opts.direction];
  const entries = (await store.list(storeKeys.clusterPrefix(opts.cluster))).filter((e) => {
    const kind = kindOf(e.key, opts.cluster);
    return kind !== null && kinds.includes(kind);
  });
  entries.sort((a, b) => (a.key < b.key ? -1 : 1));
  const verifier: Verifier = { trust: opts.trust, agentKey: opts.direction === 'results' ? await agentKeyFromStore(store, opts.cluster) : undefined };
  const report: TransferReport = { cluster: opts.cluster, direction: opts.direction, copied: [], unchanged: [], refused: [] };
  const manifest: TransferManifest = { format: 'flotilla-airgap/v1', cluster: opts.cluster, direction: opts.direction, createdAt: new Date().toISOString(), source: store.description, entries: [] };
  for (const entry of entries) {
    const kind = kindOf(entry.key, opts.cluster) as Kind;
    const obj = await store.get(entry.key, KIND_BYTES[kind]);
    if (!obj) continue; // removed since the listing
    try {
      // At the edge without a registration, results are checked by the daemon on import instead.
      const v = kind === 'result' || kind === 'status' ? { ...verifier, trust: { ...verifier.trust, daemonSide: verifier.trust.daemonSide || !verifier.agentKey } } : verifier;
      verifyObject(kind, entry.key, opts.cluster, obj.body, v);
    } catch (e) {
      report.refused.push(refusalOf(entry.key, e));
      continue;
    }
    try {
      const path = objectPath(dir, entry.key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, obj.body);
    } catch (e) {
      throw mediaError(dir, e);
    }
    manifest.entries.push({ key: entry.key, sha256: sha256(obj.body), size: obj.body.length });
    report.copied.push(entry.key);
  }
  // The manifest goes last: a transfer cut short has none, and import refuses it.
  try {
    await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (e) {
    throw mediaError(dir, e);
  }
  return report;
}

async function readManifest(dir: string): Promise<TransferManifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    const s = await stat(path);
    if (s.size > MANIFEST_MAX_BYTES) throw new FlotillaError('usage', `${path} is ${s.size} bytes, over the ${MANIFEST_MAX_BYTES}-byte limit`, 'This is not a Flotilla transfer; export again with `flotilla store export`.');
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new FlotillaError('usage', `${path} is missing`, 'Import a directory written by `flotilla store export`; an export cut short has no manifest, so run it again.');
    }
    throw mediaError(dir, e);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new FlotillaError('usage', `${path} is not valid JSON`, 'The media may be damaged; export again with `flotilla store export`.');
  }
  const parsed = TransferManifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new FlotillaError('usage', `${path}: ${firstIssue(parsed.error)}`, 'Import a directory written by this version of `flotilla store export`.');
  }
  assertClusterName(parsed.data.cluster);
  return parsed.data;
}

/** Reads a transfer directory and copies every object that verifies into the store; the rest is reported. */
export async function importTransfer(store: ObjectStore, dir: string, opts: { trust: TransferTrust }): Promise<TransferReport> {
  const manifest = await readManifest(dir);
  const { cluster, direction } = manifest;
  if (direction === 'jobs' && !opts.trust.controlPlane) {
    throw new FlotillaError('usage', `${dir} holds jobs for ${cluster}, and importing them needs the control-plane public key`, 'Pass --trust with the cluster\'s agent bundle, or --config with an agent bundle or the daemon config.');
  }
  const verifier: Verifier = { trust: opts.trust, agentKey: direction === 'results' && !opts.trust.daemonSide ? await agentKeyFromStore(store, cluster) : undefined };
  const report: TransferReport = { cluster, direction, copied: [], unchanged: [], refused: [] };
  const seen = new Set<string>();
  for (const entry of manifest.entries) {
    const key = entry.key;
    try {
      try {
        assertValidKey(key);
      } catch {
        throw new Refused('invalid_key', 'not a valid store key (path traversal or odd characters)');
      }
      if (seen.has(key)) throw new Refused('duplicate', 'listed twice in the manifest');
      seen.add(key);
      const kind = kindOf(key, cluster);
      if (!kind || !DIRECTION_KINDS[direction].includes(kind)) throw new Refused('unexpected_key', `not a ${direction} object of cluster ${cluster}`);
      const path = objectPath(dir, key);
      let size: number;
      try {
        size = (await stat(path)).size;
      } catch {
        throw new Refused('missing_file', `${path} is missing`);
      }
      if (size > KIND_BYTES[kind]) throw new EnvelopeRejected('oversize', `${size} bytes, over the ${KIND_BYTES[kind]}-byte limit for ${kind} objects`);
      const body = await readFile(path);
      if (body.length !== entry.size || sha256(body) !== entry.sha256) throw new Refused('sha256_mismatch', 'content differs from the manifest (changed or damaged on the media)');
      verifyObject(kind, key, cluster, body, verifier);
      const existing = await store.get(key, KIND_BYTES[kind]);
      if (existing && existing.size === body.length && sha256(existing.body) === entry.sha256) {
        // Rewriting identical bytes would change a directory store's etag and make readers re-read it.
        report.unchanged.push(key);
        continue;
      }
      if (existing && WRITE_ONCE.has(kind)) throw new Refused('exists_differs', 'the target already holds a different object under this key; it is never overwritten');
      await store.put(key, body);
      report.copied.push(key);
    } catch (e) {
      report.refused.push(refusalOf(key, e));
    }
  }
  return report;
}

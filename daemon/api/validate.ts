// Pure validation of REST request bodies. Each failure is a usage error naming the field and the fix.
import { normalizeScope } from '../../core/access.js';
import type { BindingCreateRequest, BindingKind, ClusterAddRequest, TokenCreateRequest } from '../../core/api.js';
import { parseDuration } from '../../core/duration.js';
import { FlotillaError } from '../../core/errors.js';
import { isRole, type Role } from '../../core/roles.js';
import { assertClusterName } from '../../core/store/types.js';

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const MAX_LABELS = 64;

function usage(message: string, next: string): FlotillaError {
  return new FlotillaError('usage', message, next);
}

/** Kubernetes label key: optional DNS-subdomain prefix and "/", then a name of at most 63 characters. */
export function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return LABEL_NAME.test(key);
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix) && LABEL_NAME.test(key.slice(slash + 1));
}

export function isLabelValue(value: string): boolean {
  return LABEL_VALUE.test(value);
}

export function validateLabels(raw: unknown): Record<string, string> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw usage('labels must be an object of key: value strings', 'Send labels as {"env": "prod"}.');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > MAX_LABELS) throw usage(`at most ${MAX_LABELS} labels are allowed`, 'Drop some labels.');
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (!isLabelKey(k)) throw usage(`label key "${k.slice(0, 80)}" is not valid`, 'Use a Kubernetes label key: letters, digits, "-", "_", "." (at most 63), optionally prefixed by a DNS name and "/".');
    if (typeof v !== 'string' || !isLabelValue(v)) throw usage(`label "${k}" has an invalid value`, 'Use a label value of at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit.');
    out[k] = v;
  }
  return out;
}

/** POST /api/v1/clusters/:name/labels: labels to set and keys to remove, at least one of either. */
export function validateRelabel(raw: unknown): { set: Record<string, string>; remove: string[] } {
  const body = asObject(raw, ['set', 'remove']);
  const set = validateLabels(body.set);
  const remove = body.remove ?? [];
  if (!Array.isArray(remove) || remove.length > MAX_LABELS || !remove.every((k) => typeof k === 'string' && isLabelKey(k))) throw usage('remove must be a list of label keys', 'Send {"remove": ["tier"]}.');
  if (Object.keys(set).length === 0 && remove.length === 0) throw usage('nothing to change: set and remove are both empty', 'Send {"set": {"team": "payments"}} and/or {"remove": ["tier"]}.');
  const both = (remove as string[]).find((k) => k in set);
  if (both) throw usage(`label "${both}" is both set and removed`, 'Set it or remove it, not both.');
  return { set, remove: remove as string[] };
}

/** The body as an object holding only the known fields: an unknown one is a typo or a client of another version, never silently dropped. */
function asObject(raw: unknown, known: readonly string[]): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw usage('request body must be a JSON object', 'Send a JSON object; see docs/API.md.');
  const extra = Object.keys(raw).find((k) => !known.includes(k));
  if (extra !== undefined) throw usage(`unknown field "${extra.slice(0, 60)}"`, `Send only ${known.join(', ')}; see docs/API.md.`);
  return raw as Record<string, unknown>;
}

function expiryFrom(ttl: unknown, now: Date): string | null {
  if (ttl === undefined || ttl === null) return null;
  if (typeof ttl !== 'string') throw usage('ttl must be a duration string', 'Write a duration like 30m, 24h or 7d.');
  const ms = parseDuration(ttl);
  if (ms <= 0) throw usage('ttl must be longer than zero', 'Write a duration like 30m, 24h or 7d.');
  return new Date(now.getTime() + ms).toISOString();
}

export interface ValidClusterAdd {
  name: string;
  labels: Record<string, string>;
  expiresAt: string | null;
  intervalSeconds: number;
}

export function validateClusterAdd(raw: unknown, defaultIntervalSeconds: number, now: Date): ValidClusterAdd {
  const body = asObject(raw, ['name', 'labels', 'ttl', 'intervalSeconds'] satisfies (keyof ClusterAddRequest)[]) as Partial<Record<keyof ClusterAddRequest, unknown>>;
  if (typeof body.name !== 'string') throw usage('name is required', 'Send {"name": "my-cluster"}.');
  assertClusterName(body.name);
  const interval = body.intervalSeconds ?? defaultIntervalSeconds;
  if (typeof interval !== 'number' || !Number.isFinite(interval) || interval <= 0 || interval > 86_400) {
    throw usage('intervalSeconds must be a number of seconds between 0 and 86400', 'Omit intervalSeconds for the daemon default, or send e.g. 10.');
  }
  return { name: body.name, labels: validateLabels(body.labels), expiresAt: expiryFrom(body.ttl, now), intervalSeconds: interval };
}

export function validateTokenCreate(raw: unknown, now: Date): { role: TokenCreateRequest['role']; name: string; expiresAt: string | null; scope: string | null } {
  const body = asObject(raw, ['role', 'name', 'ttl', 'scope'] satisfies (keyof TokenCreateRequest)[]) as Partial<Record<keyof TokenCreateRequest, unknown>>;
  if (typeof body.role !== 'string' || !isRole(body.role)) throw usage('role must be viewer, operator or admin', 'Send {"role": "viewer"}.');
  if (body.name !== undefined && (typeof body.name !== 'string' || body.name.length === 0 || body.name.length > 128)) {
    throw usage('name must be a string of 1 to 128 characters', 'Send a short name such as "ci" or "alice".');
  }
  if (body.scope !== undefined && (typeof body.scope !== 'string' || body.scope.length > 1024)) throw usage('scope must be a label selector of at most 1024 characters', 'Send {"scope": "team=payments,env!=prod"}, or no scope for the whole fleet.');
  return { role: body.role, name: body.name ?? body.role, expiresAt: expiryFrom(body.ttl, now), scope: normalizeScope(body.scope) };
}

export function validateBindingCreate(raw: unknown): { kind: BindingKind; name: string; role: Role; scope: string | null } {
  const body = asObject(raw, ['kind', 'name', 'role', 'scope'] satisfies (keyof BindingCreateRequest)[]) as Partial<Record<keyof BindingCreateRequest, unknown>>;
  if (body.kind !== 'subject' && body.kind !== 'group') throw usage('kind must be subject or group', 'Send {"kind": "group", "name": "payments-oncall", "role": "operator", "scope": "team=payments"}.');
  if (typeof body.name !== 'string' || body.name.length === 0 || body.name.length > 256) throw usage('name must be the OIDC subject or group name, 1 to 256 characters', 'Send the `sub` of a user, or a group name as the groups claim holds it.');
  if (typeof body.role !== 'string' || !isRole(body.role)) throw usage('role must be viewer, operator or admin', 'Send {"role": "viewer"}.');
  if (body.scope !== undefined && body.scope !== null && (typeof body.scope !== 'string' || body.scope.length > 1024)) throw usage('scope must be a label selector of at most 1024 characters', 'Send {"scope": "team=payments,env!=prod"}, or no scope for the whole fleet.');
  return { kind: body.kind, name: body.name, role: body.role, scope: normalizeScope(body.scope) };
}

/** ?after= of the audit: a record seq (0, the default, is before the first). */
export function parseSeq(text: string | null): number {
  if (text === null || text === '') return 0;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw usage('after must be a record seq', 'Pass the `next` of the previous page as ?after=.');
  return n;
}

/** ?since= of the audit: a duration back from now (24h) or an ISO time; absent: the beginning. */
export function parseSince(text: string | null, nowMs: number): string {
  if (text === null || text === '') return new Date(0).toISOString();
  if (/^\d/.test(text) && !text.includes('-')) return new Date(nowMs - parseDuration(text)).toISOString();
  const t = Date.parse(text);
  if (!Number.isFinite(t)) throw usage(`since "${text.slice(0, 60)}" is neither a duration nor a time`, 'Send ?since=24h or ?since=2026-12-01T00:00:00Z.');
  return new Date(t).toISOString();
}

/** Parses ?limit= with a default and a ceiling. */
export function parseLimit(text: string | null, fallback: number, max: number): number {
  if (text === null || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw usage('limit must be a positive integer', `Send ?limit=1 to ?limit=${max}.`);
  return Math.min(n, max);
}

// Loads a YAML config file, applies FLOTILLA_* environment overrides and then flag overrides, and
// validates with zod. Every failure is a 'config' FlotillaError naming the file, the key path and the fix.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { FlotillaError } from '../core/errors.js';
import { issuePath } from '../core/schema-issue.js';

export type Overrides = Record<string, unknown>;

/** Aliases a config file may expand; more is an alias bomb, not a configuration. */
export const MAX_ALIAS_COUNT = 100;

/** Sets a dotted key path ("listen.port") in a plain object, creating parents. */
export function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

/** Maps env vars to key paths; numeric-looking values for numeric keys are converted by the caller's table. */
export function envOverrides(env: NodeJS.ProcessEnv, table: Record<string, { path: string; type: 'string' | 'number' }>): Overrides {
  const out: Overrides = {};
  for (const [name, spec] of Object.entries(table)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    out[spec.path] = spec.type === 'number' ? Number(raw) : raw;
  }
  return out;
}

function describeIssue(file: string, issue: z.core.$ZodIssue, schemaHint: (path: PropertyKey[]) => string | undefined): FlotillaError {
  const keyPath = issuePath(issue.path);
  const hint = schemaHint(issue.path);
  let fix: string;
  if (issue.code === 'unrecognized_keys') {
    fix = `Remove or correct the unknown key(s) ${issue.keys.join(', ')}; see config/examples/ for valid keys.`;
  } else if (hint) {
    fix = `Set ${keyPath} to ${hint}.`;
  } else {
    fix = `Correct ${keyPath}; see config/examples/ for a commented example.`;
  }
  return new FlotillaError('config', `${file}: ${keyPath}: ${issue.message}`, fix, { details: { file, keyPath } });
}

/** Walks a zod schema along a path to find the description of the field there. */
function descriptionAt(schema: z.ZodType, path: PropertyKey[]): string | undefined {
  let node: unknown = schema;
  for (const seg of path) {
    node = unwrap(node);
    const shape = (node as { shape?: Record<string, unknown> }).shape;
    if (shape && typeof seg === 'string' && seg in shape) node = shape[seg];
    else if ((node as { element?: unknown }).element && typeof seg === 'number') node = (node as { element: unknown }).element;
    else return undefined;
  }
  return (node as { description?: string }).description ?? (unwrap(node) as { description?: string }).description;
}

function unwrap(node: unknown): unknown {
  let n = node as { unwrap?: () => unknown; def?: { innerType?: unknown } };
  for (let i = 0; i < 5; i += 1) {
    if (n?.def?.innerType) n = n.def.innerType;
    else break;
  }
  return n;
}

export interface LoadOptions<T extends z.ZodType> {
  file: string;
  schema: T;
  overrides?: Overrides;
  /** Dotted key paths holding file paths, resolved relative to the config file's directory. */
  pathKeys?: string[];
  /** The next step when the file is empty: what writes one, or which example to copy. */
  emptyNext?: string;
}

export function loadConfigFile<T extends z.ZodType>(opts: LoadOptions<T>): z.infer<T> {
  const file = resolve(opts.file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FlotillaError('config', `${file}: cannot read config (${code ?? (e as Error).message})`, code === 'ENOENT' ? 'Check the path, or create one with `flotilla init` (daemon) or `flotilla cluster add` (agent).' : 'Check the file permissions.', { cause: e });
  }
  return parseConfigText(file, text, opts);
}

export function parseConfigText<T extends z.ZodType>(file: string, text: string, opts: Omit<LoadOptions<T>, 'file'>): z.infer<T> {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const line = err.linePos?.[0]?.line;
    throw new FlotillaError('config', `${file}${line ? `:${line}` : ''}: YAML syntax error: ${err.message.split('\n')[0] ?? ''}`, 'Fix the YAML syntax at that line (indentation, a missing ":" or an unclosed quote).');
  }
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // the yaml package refuses an alias bomb ("billion laughs") rather than expanding it
    throw new FlotillaError('config', `${file}: YAML aliases expand too far (${(e as Error).message})`, `Write the values out instead of repeating aliases; a config may expand at most ${MAX_ALIAS_COUNT} aliases.`, { cause: e });
  }
  const empty = js === null || js === undefined;
  const raw: unknown = js ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new FlotillaError('config', `${file}: the top level must be a mapping of keys`, 'See config/examples/ for the expected layout.');
  }
  const data = raw as Record<string, unknown>;
  for (const [k, v] of Object.entries(opts.overrides ?? {})) if (v !== undefined) setPath(data, k, v);
  const parsed = opts.schema.safeParse(data);
  if (!parsed.success) {
    // an empty file (or one with only comments) is not a file with one bad key: say so, and how to fill it
    if (empty) throw new FlotillaError('config', `${file}: the file is empty`, opts.emptyNext ?? 'Fill it in from config/examples/.', { details: { file } });
    throw describeIssue(file, parsed.error.issues[0]!, (p) => descriptionAt(opts.schema, p));
  }
  const value = parsed.data as Record<string, unknown>;
  const base = dirname(file);
  for (const key of opts.pathKeys ?? []) resolvePathKey(value, key, base);
  return value as z.infer<T>;
}

function resolvePathKey(obj: Record<string, unknown>, dotted: string, base: string): void {
  const parts = dotted.split('.');
  let node: Record<string, unknown> | undefined = obj;
  for (const part of parts.slice(0, -1)) {
    const next: unknown = node?.[part];
    node = typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : undefined;
  }
  const last = parts[parts.length - 1] as string;
  const v = node?.[last];
  if (node && typeof v === 'string' && v !== '-' && !isAbsolute(v)) node[last] = resolve(base, v);
}

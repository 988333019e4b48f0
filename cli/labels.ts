// `--label k=v` parsing. Keys and values follow Kubernetes label syntax so a selector written for
// Kubernetes objects reads the same on Flotilla clusters.
import { FlotillaError } from '../core/errors.js';

const NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const NEXT = 'Write labels as --label key=value, e.g. --label env=prod --label team=payments (letters, digits, "-", "_", ".", at most 63 characters).';

function validKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash === -1) return NAME.test(key);
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && PREFIX.test(prefix) && NAME.test(key.slice(slash + 1));
}

export function parseLabel(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new FlotillaError('usage', `label "${text}" is not key=value`, NEXT);
  const key = text.slice(0, eq);
  const value = text.slice(eq + 1);
  if (!validKey(key)) throw new FlotillaError('usage', `label key "${key}" is not valid`, NEXT);
  if (value !== '' && !NAME.test(value)) throw new FlotillaError('usage', `label value "${value}" for "${key}" is not valid`, NEXT);
  return [key, value];
}

export function parseLabels(texts: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const text of texts) {
    const [key, value] = parseLabel(text);
    if (key in labels && labels[key] !== value) {
      throw new FlotillaError('usage', `label "${key}" is given twice with different values`, 'Pass each label key once.');
    }
    labels[key] = value;
  }
  return labels;
}

export function formatLabels(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k] ?? ''}`)
    .join(',');
}

/** `flotilla cluster label NAME env=prod tier-`: key=value sets, key- removes. */
export function parseLabelChanges(texts: readonly string[]): { set: Record<string, string>; remove: string[] } {
  const sets = texts.filter((t) => !t.endsWith('-') || t.includes('='));
  const remove = texts.filter((t) => t.endsWith('-') && !t.includes('=')).map((t) => t.slice(0, -1));
  for (const key of remove) if (!validKey(key)) throw new FlotillaError('usage', `label key "${key}" is not valid`, 'Write key- to remove a label, key=value to set one.');
  const set = parseLabels(sets);
  const both = remove.find((k) => k in set);
  if (both) throw new FlotillaError('usage', `label "${both}" is both set and removed`, 'Set it or remove it, not both.');
  return { set, remove };
}

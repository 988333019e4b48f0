// Label selectors over cluster labels, for fleet jobs and access scopes: `env=staging,team=payments`, `tier!=cache`,
// `gpu` (key present) and `!gpu` (key absent). All requirements must hold. Pure.
import { FlotillaError } from './errors.js';

export type Requirement = { key: string; op: 'eq' | 'ne'; value: string } | { key: string; op: 'exists' | 'absent' };

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const NEXT = 'Write a selector like env=staging,team=payments (also key!=value, key, !key).';

function bad(message: string): FlotillaError {
  return new FlotillaError('usage', message, NEXT);
}

export function parseSelector(text: string): Requirement[] {
  const parts = text.split(',').map((p) => p.trim());
  if (text.trim() === '' || parts.some((p) => p === '')) throw bad(`selector "${text.slice(0, 200)}" has an empty requirement`);
  return parts.map((part): Requirement => {
    const m = /^([^=!]+?)\s*(!=|==|=)\s*(.*)$/.exec(part);
    if (m) {
      const key = m[1] as string;
      const value = (m[3] as string).trim();
      if (!KEY.test(key)) throw bad(`selector key "${key.slice(0, 100)}" is not a label key`);
      if (!VALUE.test(value)) throw bad(`selector value "${value.slice(0, 100)}" for "${key}" is not a label value`);
      return { key, op: m[2] === '!=' ? 'ne' : 'eq', value };
    }
    const absent = part.startsWith('!');
    const key = absent ? part.slice(1).trim() : part;
    if (!KEY.test(key)) throw bad(`selector requirement "${part.slice(0, 100)}" is neither key=value, key!=value, key nor !key`);
    return { key, op: absent ? 'absent' : 'exists' };
  });
}

export function matches(labels: Record<string, string>, requirements: readonly Requirement[]): boolean {
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.op) {
      case 'eq':
        return has && labels[r.key] === r.value;
      case 'ne':
        // As in Kubernetes: a cluster without the key matches key!=value.
        return !has || labels[r.key] !== r.value;
      case 'exists':
        return has;
      case 'absent':
        return !has;
    }
  });
}

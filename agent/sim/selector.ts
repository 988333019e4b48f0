// Kubernetes label selectors ("app=web,tier!=cache,env in (a,b),!legacy") as a predicate over labels.
import { FlotillaError } from '../../core/errors.js';

type Requirement = (labels: Record<string, string>) => boolean;

function parseRequirement(raw: string, selector: string): Requirement {
  const text = raw.trim();
  let m = /^([A-Za-z0-9_./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(text);
  if (m) {
    const key = m[1] as string;
    const values = new Set((m[3] as string).split(',').map((v) => v.trim()));
    return m[2] === 'in' ? (l) => key in l && values.has(l[key] as string) : (l) => !(key in l) || !values.has(l[key] as string);
  }
  m = /^([A-Za-z0-9_./-]+)\s*(==|=|!=)\s*([A-Za-z0-9_.-]*)$/.exec(text);
  if (m) {
    const key = m[1] as string;
    const value = m[3] as string;
    return m[2] === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  m = /^(!?)([A-Za-z0-9_./-]+)$/.exec(text);
  if (m) {
    const key = m[2] as string;
    return m[1] === '!' ? (l) => !(key in l) : (l) => key in l;
  }
  throw new FlotillaError('usage', `label selector "${selector}" has an unreadable requirement "${text}"`, 'use key=value, key!=value, key in (a,b), key notin (a,b), key or !key, separated by commas');
}

/** Splits on the commas between requirements, not the ones inside "in (a,b)". */
function splitRequirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i += 1) {
    const c = selector[i];
    if (c === '(') depth += 1;
    else if (c === ')') depth -= 1;
    else if (c === ',' && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(selector.slice(start));
  return parts.filter((p) => p.trim() !== '');
}

export function parseSelector(selector: string): (labels: Record<string, string> | undefined) => boolean {
  const requirements = splitRequirements(selector).map((r) => parseRequirement(r, selector));
  if (requirements.length === 0) throw new FlotillaError('usage', `label selector "${selector}" is empty`, 'give at least one requirement, e.g. app=web');
  return (labels) => requirements.every((r) => r(labels ?? {}));
}

// Prometheus text exposition (format 0.0.4) written by hand: a HELP and a TYPE line per family, its
// samples grouped under them, label values and help text escaped as the format asks. Pure and small,
// so the simulated cluster's series (exposition.ts) need no client library and no registry.

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Backslash, double quote and line feed are the three characters a label value escapes. */
export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`)) : value;
}

/** HELP text escapes backslash and line feed (a double quote stays). */
export function escapeHelp(text: string): string {
  return /[\\\n]/.test(text) ? text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\')) : text;
}

/** A sample value as Go's ParseFloat reads it: integers plainly, NaN and the infinities spelled out. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

const checkedLabelNames = new Set<string>();

function checkLabelName(name: string): void {
  if (checkedLabelNames.has(name)) return;
  if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new RangeError(`not a Prometheus label name: ${JSON.stringify(name)}`);
  checkedLabelNames.add(name);
}

/**
 * Label pairs rendered once (`a="x",b="y"`, no braces), for the samples that share them; a label with
 * an empty value is left out, as Prometheus treats it as absent.
 */
export function labelPairs(names: readonly string[], values: readonly string[]): string {
  if (names.length !== values.length) throw new RangeError(`${names.length} label name(s) for ${values.length} value(s)`);
  let out = '';
  for (let i = 0; i < names.length; i += 1) {
    const name = names[i] as string;
    checkLabelName(name);
    const value = values[i] as string;
    if (value === '') continue;
    out += `${out === '' ? '' : ','}${name}="${escapeLabelValue(value)}"`;
  }
  return out;
}

/** Rendered label pairs put together, in order; each part comes from labelPairs. */
export function joinLabels(...parts: string[]): string {
  let out = '';
  for (const p of parts) if (p !== '') out = out === '' ? p : `${out},${p}`;
  return out;
}

/** Adds one sample with rendered label pairs (labelPairs, joinLabels); no label name may come twice. */
export type Sampler = (labels: string, value: number) => void;

/**
 * Families come out in the order they were declared, each with its HELP and TYPE lines even when it
 * has no samples (as kube-state-metrics does), so the exposition's shape does not depend on the state.
 */
export class ExpositionWriter {
  private readonly families: { header: string; lines: string[] }[] = [];
  private readonly names = new Set<string>();

  family(name: string, type: MetricType, help: string): Sampler {
    if (!METRIC_NAME.test(name)) throw new RangeError(`not a Prometheus metric name: ${JSON.stringify(name)}`);
    if (this.names.has(name)) throw new RangeError(`metric family ${name} declared twice`);
    this.names.add(name);
    const lines: string[] = [];
    this.families.push({ header: `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`, lines });
    return (labels, value) => {
      lines.push(labels === '' ? `${name} ${formatValue(value)}\n` : `${name}{${labels}} ${formatValue(value)}\n`);
    };
  }

  text(): string {
    const parts: string[] = [];
    for (const f of this.families) {
      parts.push(f.header);
      for (const line of f.lines) parts.push(line);
    }
    return parts.join('');
  }
}

// A strict reader of Prometheus text exposition (0.0.4) for the tests of the sim's cluster series:
// it throws on anything a Prometheus scrape would refuse or mis-read (a sample before its family's
// TYPE, a family split in two, a bad name, a bad escape, a label twice, a series twice, a bad value).

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const VALUE = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]Inf)$/;

function parseValue(text: string, line: string): number {
  if (!VALUE.test(text)) throw new Error(`bad sample value ${JSON.stringify(text)} in: ${line}`);
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"(,|$)/y;

function parseLabels(body: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL_PAIR.lastIndex = 0;
  while (LABEL_PAIR.lastIndex < body.length) {
    const at = LABEL_PAIR.lastIndex;
    const m = LABEL_PAIR.exec(body);
    if (!m) throw new Error(`bad label set at ${JSON.stringify(body.slice(at, at + 40))} in: ${line}`);
    const name = m[1] as string;
    if (name in labels) throw new Error(`label ${name} twice in: ${line}`);
    if (m[3] === ',' && LABEL_PAIR.lastIndex === body.length) throw new Error(`trailing comma in: ${line}`);
    labels[name] = (m[2] as string).replace(/\\(.)/g, (_, c: string) => {
      if (c === 'n') return '\n';
      if (c === '\\' || c === '"') return c;
      throw new Error(`bad escape \\${c} in: ${line}`);
    });
  }
  return labels;
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** `name{labels} value`, where quoted label values may hold braces and spaces; no timestamp. */
const SAMPLE_LINE = /^([^{ ]+)(?:\{((?:[^"}]|"(?:[^"\\]|\\.)*")*)\})? ([^ ]+)$/;

function splitSample(line: string): { name: string; labels: string; value: string } {
  const m = SAMPLE_LINE.exec(line);
  if (!m) throw new Error(`not a sample line (a timestamp, an extra field, or an unterminated label set?): ${line}`);
  return { name: m[1] as string, labels: m[2] ?? '', value: m[3] as string };
}

function seriesKey(s: Sample): string {
  let key = s.name;
  for (const k of Object.keys(s.labels).sort()) key += `\u0000${k}\u0000${s.labels[k] as string}`;
  return key;
}

export function parseExposition(text: string): Family[] {
  if (text !== '' && !text.endsWith('\n')) throw new Error('exposition does not end with a line feed');
  const families: Family[] = [];
  const byName = new Map<string, Family>();
  const closed = new Set<string>();
  const series = new Set<string>();
  let current: Family | undefined;
  const open = (name: string): Family => {
    if (current?.name === name) return current;
    if (current) closed.add(current.name);
    if (closed.has(name)) throw new Error(`family ${name} is split: its lines are not together`);
    const f: Family = { name, type: 'untyped', help: '', samples: [] };
    families.push(f);
    byName.set(name, f);
    current = f;
    return f;
  };
  for (const line of text.split('\n').slice(0, -1)) {
    if (line === '') throw new Error('empty line in the exposition');
    if (!line.startsWith('#')) {
      const parts = splitSample(line);
      if (!NAME.test(parts.name)) throw new Error(`bad metric name in: ${line}`);
      const f = open(parts.name);
      if (f.type === 'untyped') throw new Error(`sample of ${f.name} before its TYPE line`);
      const sample: Sample = { name: parts.name, labels: parseLabels(parts.labels, line), value: parseValue(parts.value, line) };
      const key = seriesKey(sample);
      if (series.has(key)) throw new Error(`series twice: ${line}`);
      series.add(key);
      f.samples.push(sample);
      continue;
    }
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    if (help) {
      const f = open(help[1] as string);
      if (!NAME.test(f.name)) throw new Error(`bad metric name in: ${line}`);
      if (f.samples.length > 0 || f.help !== '') throw new Error(`HELP after samples or twice for ${f.name}`);
      f.help = unescapeHelp(help[2] as string);
      continue;
    }
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      const f = open(type[1] as string);
      if (f.samples.length > 0 || f.type !== 'untyped') throw new Error(`TYPE after samples or twice for ${f.name}`);
      f.type = type[2] as string;
      continue;
    }
    throw new Error(`unexpected comment: ${line}`);
  }
  return families;
}

/** The samples of one metric whose labels include `match`. */
export function samplesOf(families: Family[], name: string, match: Record<string, string> = {}): Sample[] {
  const f = families.find((x) => x.name === name);
  return (f?.samples ?? []).filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

export function sumOf(families: Family[], name: string, match: Record<string, string> = {}): number {
  return samplesOf(families, name, match).reduce((sum, s) => sum + s.value, 0);
}

// Container logs for the Kubernetes API test server: GET /api/v1/namespaces/{ns}/pods/{pod}/log as
// the API server (pkg/registry/core/pod/strategy.go LogLocation) and the kubelet behind it
// (pkg/kubelet/kuberuntime/logs) answer it. What it models:
// - the container: optional when the pod has one, else 400 "a container name must be specified for
//   pod P, choose one of: [a b]"; an unknown one is 400 "container C is not valid for pod P" (the
//   API server's words, a BadRequest, not a 404); an unknown pod is the usual 404 Status;
// - a container that has not started is 400 "container "C" in pod "P" is waiting to start: …"; a
//   pod with no node yet answers 200 with an empty body (LogLocation returns no location);
// - `previous` serves the last terminated instance (restartCount − 1), 400 when there is none;
// - `timestamps` prefixes each line with its time in RFC3339Nano with all nine digits (the
//   kubelet's RFC3339NanoFixed) and a space;
// - `sinceTime` is forwarded to the kubelet formatted with time.RFC3339, so it has whole-second
//   precision: a fraction is cut off, and every line at or after that second comes (inclusive);
//   `sinceSeconds` counts back from now; `tailLines` picks the last N lines before `since` filters;
//   `limitBytes` ends the response after that many bytes (possibly mid-line);
// - `follow` keeps the response open (chunked text/plain) and writes each line the test appends;
//   it ends when the container stops: restarted, or its pod deleted (like the kubelet's follow).
import type { ServerResponse } from 'node:http';
import { ApiError, type Obj } from './common.js';

export type LogStreamName = 'stdout' | 'stderr';

export interface AppendOptions {
  stream?: LogStreamName;
  /** The line's time: a Date, or RFC 3339 with up to nine fractional digits; default now. */
  at?: Date | string;
}

interface Line {
  /** RFC3339NanoFixed in UTC: `2026-01-02T03:04:05.123456789Z`, so times compare as strings. */
  at: string;
  stream: LogStreamName;
  text: string;
}

interface Follower {
  key: string;
  since: string | undefined;
  timestamps: boolean;
  bytesLeft: number;
  res: ServerResponse;
}

/** RFC3339NanoFixed (all nine digits, UTC) of a Date or an RFC 3339 string. */
export function nanoFixed(at: Date | string): string {
  if (at instanceof Date) return at.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(at);
  if (!m) throw new Error(`not an RFC 3339 time: ${at}`);
  const frac = (m[2] ?? '').padEnd(9, '0');
  if (m[3] === 'Z') return `${m[1]}.${frac}Z`;
  const whole = new Date(`${m[1]}${m[3]}`).toISOString().slice(0, 19);
  return `${whole}.${frac}Z`;
}

/** Whole seconds, as the API server's Format(time.RFC3339) leaves a sinceTime for the kubelet. */
function wholeSecond(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}.000000000Z`;
}

function containerNames(pod: Obj): string[] {
  return [...((pod.spec?.initContainers ?? []) as Obj[]), ...((pod.spec?.containers ?? []) as Obj[])].map((c) => c.name as string);
}

function statusOf(pod: Obj, container: string): Obj | undefined {
  return [...((pod.status?.initContainerStatuses ?? []) as Obj[]), ...((pod.status?.containerStatuses ?? []) as Obj[])].find((s) => s.name === container);
}

function intParam(query: Record<string, string>, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) throw new ApiError(400, 'BadRequest', `strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
  return Number(raw);
}

function boolParam(query: Record<string, string>, name: string): boolean {
  const raw = query[name];
  if (raw === undefined || raw === '') return false;
  if (['true', '1', 't', 'T', 'TRUE', 'True'].includes(raw)) return true;
  if (['false', '0', 'f', 'F', 'FALSE', 'False'].includes(raw)) return false;
  throw new ApiError(400, 'BadRequest', `strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`);
}

export class PodLogs {
  /** Lines per pod uid, container and restartCount. */
  private readonly logs = new Map<string, Line[]>();
  private readonly followers = new Set<Follower>();

  private static key(uid: string, container: string, restart: number): string {
    return `${uid}/${container}/${restart}`;
  }

  /** The kubelet writes lines for the running instance of a container. */
  append(pod: Obj, container: string, lines: string[], opts: AppendOptions = {}): void {
    if (!containerNames(pod).includes(container)) throw new Error(`pod ${String(pod.metadata.name)} has no container ${container}`);
    const restart = (statusOf(pod, container)?.restartCount as number | undefined) ?? 0;
    const key = PodLogs.key(pod.metadata.uid as string, container, restart);
    const stored = this.logs.get(key) ?? [];
    this.logs.set(key, stored);
    const at = nanoFixed(opts.at ?? new Date());
    for (const text of lines) {
      const line: Line = { at, stream: opts.stream ?? 'stdout', text };
      stored.push(line);
      for (const f of this.followers) if (f.key === key) this.send(f, [line]);
    }
  }

  /** The container's instance `restart` stopped: its follow streams end (the kubelet closes them). */
  stopped(uid: string, container: string, restart: number): void {
    const key = PodLogs.key(uid, container, restart);
    for (const f of [...this.followers]) if (f.key === key) this.finish(f);
  }

  /** Ends the follow streams of pods that no longer exist (`live` holds the uids that do). */
  sweep(live: ReadonlySet<string>): void {
    for (const f of [...this.followers]) if (!live.has(f.key.split('/')[0]!)) this.finish(f);
  }

  /** Breaks every open follow stream mid-response, as a dropped connection or an API server restart would. */
  cut(): number {
    const open = [...this.followers];
    for (const f of open) {
      this.followers.delete(f);
      f.res.socket?.destroy();
    }
    return open.length;
  }

  /** Follow streams open now. */
  get following(): number {
    return this.followers.size;
  }

  /**
   * Validates the request as the API server and the kubelet do (throwing the ApiError they answer
   * with, before anything is written), then writes the response; with follow it stays open.
   */
  serve(pod: Obj, query: Record<string, string>, res: ServerResponse, now = Date.now()): void {
    const names = containerNames(pod);
    const podName = pod.metadata.name as string;
    let container = query.container ?? '';
    if (container === '') {
      const main = ((pod.spec?.containers ?? []) as Obj[]).map((c) => c.name as string);
      if (main.length === 1) container = main[0]!;
      else if (main.length === 0) throw new ApiError(400, 'BadRequest', `a container name must be specified for pod ${podName}`);
      else throw new ApiError(400, 'BadRequest', `a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`);
    } else if (!names.includes(container)) throw new ApiError(400, 'BadRequest', `container ${container} is not valid for pod ${podName}`);
    const follow = boolParam(query, 'follow');
    const previous = boolParam(query, 'previous');
    const timestamps = boolParam(query, 'timestamps');
    const tailLines = intParam(query, 'tailLines');
    const limitBytes = intParam(query, 'limitBytes');
    const sinceSeconds = intParam(query, 'sinceSeconds');
    const invalid = (field: string, message: string): ApiError => new ApiError(422, 'Invalid', `PodLogOptions "${podName}" is invalid: ${field}: ${message}`, { name: podName, kind: 'PodLogOptions', causes: [{ reason: 'FieldValueInvalid', message, field }] });
    if (tailLines !== undefined && tailLines < 0) throw invalid('tailLines', `Invalid value: ${tailLines}: must be greater than or equal to 0`);
    if (limitBytes !== undefined && limitBytes < 1) throw invalid('limitBytes', `Invalid value: ${limitBytes}: must be greater than 0`);
    if (sinceSeconds !== undefined && sinceSeconds < 1) throw invalid('sinceSeconds', `Invalid value: ${sinceSeconds}: must be greater than 0`);
    if (sinceSeconds !== undefined && query.sinceTime !== undefined) throw invalid('sinceSeconds', 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified');
    let since: string | undefined;
    if (query.sinceTime !== undefined) {
      const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(query.sinceTime) ? Date.parse(query.sinceTime) : Number.NaN;
      if (Number.isNaN(ms)) throw new ApiError(400, 'BadRequest', `parsing time ${JSON.stringify(query.sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(query.sinceTime)} as "2006"`);
      since = wholeSecond(ms);
    } else if (sinceSeconds !== undefined) since = wholeSecond(now - sinceSeconds * 1000);

    if (!pod.spec?.nodeName) {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
      res.end();
      return;
    }
    const st = statusOf(pod, container);
    const current = (st?.restartCount as number | undefined) ?? 0;
    const running = st?.state?.running !== undefined && !pod.metadata.deletionTimestamp;
    let restart = current;
    if (previous) {
      if (!st || current === 0) throw new ApiError(400, 'BadRequest', `previous terminated container "${container}" in pod "${podName}" not found`);
      restart = current - 1;
    } else if (!st || st.state?.waiting !== undefined || (st.state?.running === undefined && st.state?.terminated === undefined)) {
      const reason = (st?.state?.waiting?.reason as string | undefined) ?? 'ContainerCreating';
      throw new ApiError(400, 'BadRequest', `container "${container}" in pod "${podName}" is waiting to start: ${reason}`);
    }
    const key = PodLogs.key(pod.metadata.uid as string, container, restart);
    let lines = this.logs.get(key) ?? [];
    if (tailLines !== undefined) lines = tailLines === 0 ? [] : lines.slice(-tailLines);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    const f: Follower = { key, since, timestamps, bytesLeft: limitBytes ?? Number.POSITIVE_INFINITY, res };
    this.send(f, lines);
    if (f.bytesLeft <= 0) return;
    // A terminated instance (previous, or one that stopped) has nothing more to say: EOF ends it.
    if (follow && !previous && running) {
      this.followers.add(f);
      res.on('close', () => this.followers.delete(f));
      res.flushHeaders();
    } else res.end();
  }

  private send(f: Follower, lines: readonly Line[]): void {
    const out: string[] = [];
    for (const l of lines) {
      if (f.since !== undefined && l.at < f.since) continue;
      out.push(f.timestamps ? `${l.at} ${l.text}\n` : `${l.text}\n`);
    }
    if (out.length === 0) return;
    let body = Buffer.from(out.join(''));
    if (body.length >= f.bytesLeft) {
      body = body.subarray(0, f.bytesLeft);
      f.bytesLeft = 0;
      f.res.write(body);
      this.finish(f);
      return;
    }
    f.bytesLeft -= body.length;
    f.res.write(body);
  }

  private finish(f: Follower): void {
    this.followers.delete(f);
    f.bytesLeft = 0;
    if (!f.res.writableEnded) f.res.end();
  }
}

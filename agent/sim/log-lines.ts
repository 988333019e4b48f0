// Which lines the simulated cluster's containers write in a window of time: everyday output spread over
// the running containers at the configured rate, the first lines of every container that has just
// started (a new pod or a restart), and error bursts on top while a fault is active on the pod, its
// workload or its node. Pure: state, time window and rng in, lines out; the same seed and the same
// windows give the same lines. log-files.ts writes them.
import { compareNano, type NanoTime } from './log-cri.js';
import { incidentEntries, normalEntries, startupEntries, styleOf, type Entry, type Incident, type IncidentKind, type LogSource, type LogStyle } from './log-messages.js';
import { seedFromName, type Rng } from './rng.js';
import { podKey, type SimPod, type SimState } from './state.js';

/** A window longer than this (the host slept, the event loop stalled) is cut to its most recent part. */
export const MAX_WINDOW_MS = 5000;

export interface SimLogContainer extends LogSource {
  uid: string;
  node: string;
  restartCount: number;
  incident: Incident | null;
}

export interface TimedEntry extends Entry {
  at: NanoTime;
}

export interface ContainerLines {
  container: SimLogContainer;
  lines: TimedEntry[];
}

export interface LogWindow {
  fromMs: number;
  toMs: number;
  /** Everyday lines per second over the whole cluster; faults add at most as many again. */
  linesPerSecond: number;
  /** instanceKey()s of the containers that have written their startup lines already. */
  started: ReadonlySet<string>;
}

/**
 * The log generator's seed, from the cluster's: logs draw from their own sequence, so writing them (on
 * their own timer) never shifts the cluster model's random choices, and the same seed gives the same logs.
 */
export function logSeed(clusterSeed: number): number {
  return seedFromName(`logs/${clusterSeed >>> 0}`);
}

/** One run of one container: a restart is a new instance (and a new file). */
export function instanceKey(c: Pick<SimLogContainer, 'uid' | 'container' | 'restartCount'>): string {
  return `${c.uid}/${c.container}/${c.restartCount}`;
}

// Front ends and APIs talk more than the monitoring stack and kube-system.
const STYLE_WEIGHT: Record<LogStyle, number> = { access: 3, json: 2, logfmt: 1, klog: 1 };
// A crashing container shouts; its neighbours complain.
const INCIDENT_WEIGHT: Record<IncidentKind, number> = { crash: 3, oom: 3, upstream: 1, 'node-down': 1, capacity: 1, drain: 0.5 };
const INCIDENT_RANK: Record<IncidentKind, number> = { crash: 6, oom: 5, upstream: 4, 'node-down': 3, capacity: 2, drain: 1 };

function note(incidents: Map<string, Incident>, key: string, incident: Incident): void {
  const had = incidents.get(key);
  if (!had || INCIDENT_RANK[incident.kind] > INCIDENT_RANK[had.kind]) incidents.set(key, incident);
}

/** Who logs errors because of which fault, by pod key. */
export function incidentsOf(state: SimState): Map<string, Incident> {
  const out = new Map<string, Incident>();
  const styleOfPod = (p: SimPod): LogStyle => {
    const w = state.workloads[p.workload];
    return w ? styleOf(w) : 'json';
  };
  for (const fault of state.faults) {
    if (fault.kind === 'node-not-ready' || fault.kind === 'maintenance') {
      const node = fault.target;
      const hit = new Set(state.pods.filter((p) => p.node === node).map((p) => p.workload));
      for (const pod of state.pods) {
        if (pod.node === node) continue;
        const style = styleOfPod(pod);
        if (fault.kind === 'maintenance') {
          if (style === 'klog') note(out, podKey(pod), { kind: 'drain', subject: node });
        } else if (hit.has(pod.workload) || style === 'klog' || style === 'logfmt') {
          note(out, podKey(pod), { kind: 'node-down', subject: node });
        }
      }
      continue;
    }
    const target = state.pods.find((p) => podKey(p) === fault.target);
    if (!target) continue;
    const workload = state.workloads[target.workload]?.name ?? target.name;
    if (fault.kind === 'unschedulable') {
      for (const pod of state.pods) if (pod !== target && pod.workload === target.workload) note(out, podKey(pod), { kind: 'capacity', subject: target.name });
      continue;
    }
    note(out, podKey(target), { kind: fault.kind === 'oom' ? 'oom' : 'crash', subject: target.name });
    for (const pod of state.pods) {
      if (pod === target) continue;
      if (pod.workload === target.workload || styleOfPod(pod) === 'access') note(out, podKey(pod), { kind: 'upstream', subject: workload });
    }
  }
  return out;
}

/** The containers that are running and writing: pods that are Running on a node. */
export function logContainers(state: SimState): SimLogContainer[] {
  const incidents = incidentsOf(state);
  const out: SimLogContainer[] = [];
  for (const pod of state.pods) {
    if (pod.phase !== 'Running' || pod.node === null) continue;
    const w = state.workloads[pod.workload];
    if (!w) continue;
    out.push({
      namespace: pod.namespace,
      pod: pod.name,
      uid: pod.uid,
      container: w.container,
      workload: w.name,
      style: styleOf(w),
      node: pod.node,
      restartCount: pod.restarts,
      incident: incidents.get(podKey(pod)) ?? null,
    });
  }
  return out;
}

/** floor(x), plus one more with the chance of the fraction: `x` on average, whatever the window. */
function countFor(x: number, rng: Rng): number {
  const whole = Math.floor(x);
  return whole + (rng.chance(x - whole) ? 1 : 0);
}

function weightedPick<T>(items: readonly T[], weight: (item: T) => number, rng: Rng): T {
  const total = items.reduce((sum, item) => sum + weight(item), 0);
  let r = rng.next() * total;
  for (const item of items) {
    r -= weight(item);
    if (r < 0) return item;
  }
  return items[items.length - 1] as T;
}

interface Event {
  at: NanoTime;
  entries: Entry[];
}

/** Each event's entries in order, one nanosecond apart, and never before the container's previous line. */
function timeline(events: Event[]): TimedEntry[] {
  events.sort((a, b) => compareNano(a.at, b.at));
  const lines: TimedEntry[] = [];
  let last: NanoTime | null = null;
  for (const event of events) {
    event.entries.forEach((entry, i) => {
      let at: NanoTime = { ms: event.at.ms, nanos: event.at.nanos + i };
      if (at.nanos > 999_999) at = { ms: at.ms + Math.floor(at.nanos / 1_000_000), nanos: at.nanos % 1_000_000 };
      if (last && compareNano(at, last) <= 0) at = last.nanos < 999_999 ? { ms: last.ms, nanos: last.nanos + 1 } : { ms: last.ms + 1, nanos: 0 };
      lines.push({ ...entry, at });
      last = at;
    });
  }
  return lines;
}

/** The lines written in [fromMs, toMs): startup lines first, then everyday lines and fault bursts. */
export function linesForWindow(containers: readonly SimLogContainer[], window: LogWindow, rng: Rng): ContainerLines[] {
  const fromMs = Math.max(window.fromMs, window.toMs - MAX_WINDOW_MS);
  const span = window.toMs - fromMs;
  if (span <= 0 || containers.length === 0 || window.linesPerSecond <= 0) return [];
  const events = new Map<SimLogContainer, Event[]>();
  const add = (c: SimLogContainer, at: NanoTime, entries: Entry[]): void => {
    const list = events.get(c) ?? [];
    list.push({ at, entries });
    events.set(c, list);
  };
  const instant = (): NanoTime => ({ ms: fromMs + Math.floor(rng.next() * span), nanos: rng.int(0, 999_000) });

  for (const c of containers) if (!window.started.has(instanceKey(c))) add(c, { ms: fromMs, nanos: 0 }, startupEntries(c, fromMs, rng));

  const everyday = countFor((window.linesPerSecond * span) / 1000, rng);
  for (let i = 0; i < everyday; i += 1) {
    const c = weightedPick(containers, (x) => STYLE_WEIGHT[x.style], rng);
    const at = instant();
    add(c, at, normalEntries(c, at.ms, rng));
  }

  const affected = containers.filter((c) => c.incident !== null);
  if (affected.length > 0) {
    const burst = countFor((window.linesPerSecond * span) / 1000, rng);
    for (let i = 0; i < burst; i += 1) {
      const c = weightedPick(affected, (x) => INCIDENT_WEIGHT[(x.incident as Incident).kind], rng);
      const at = instant();
      add(c, at, incidentEntries(c, c.incident as Incident, at.ms, rng));
    }
  }

  return containers.filter((c) => events.has(c)).map((container) => ({ container, lines: timeline(events.get(container) as Event[]) }));
}

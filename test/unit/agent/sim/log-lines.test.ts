import { describe, expect, it } from 'vitest';
import { SimConfigSchema } from '../../../../config/schemas.js';
import { CRI_MAX_LINE_BYTES, compareNano, criLines } from '../../../../agent/sim/log-cri.js';
import { instanceKey, linesForWindow, logContainers, logSeed, MAX_WINDOW_MS, type ContainerLines } from '../../../../agent/sim/log-lines.js';
import { styleOf } from '../../../../agent/sim/log-messages.js';
import { createSimState } from '../../../../agent/sim/model.js';
import { createRng, type Rng } from '../../../../agent/sim/rng.js';
import { podKey, type SimPod, type SimState } from '../../../../agent/sim/state.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const STEP = 200;

function cluster(seed = 5): SimState {
  return createSimState(SimConfigSchema.parse({ seed, nodes: 4, deployments: 16, faultRate: 0 }), new Date(T0), createRng(seed));
}

/** Runs the generator over `windows` windows of STEP ms, remembering started containers as the writer does. */
function run(state: SimState, rng: Rng, windows: number, linesPerSecond = 20, from = T0): ContainerLines[][] {
  let started = new Set<string>();
  const out: ContainerLines[][] = [];
  const containers = logContainers(state);
  for (let i = 0; i < windows; i += 1) {
    out.push(linesForWindow(containers, { fromMs: from + i * STEP, toMs: from + (i + 1) * STEP, linesPerSecond, started }, rng));
    started = new Set(containers.map(instanceKey));
  }
  return out;
}

function entries(batches: ContainerLines[][], pod?: string) {
  return batches.flat().filter((b) => pod === undefined || b.container.pod === pod).flatMap((b) => b.lines.map((l) => ({ ...l, container: b.container })));
}

function withCrashLoop(state: SimState, match: (p: SimPod) => boolean): SimPod {
  const pod = state.pods.find(match)!;
  pod.problem = { reason: 'CrashLoopBackOff', since: state.now };
  pod.restarts = 1;
  state.faults.push({ id: 1, kind: 'crashloop', target: podKey(pod), endsTick: 10 });
  return pod;
}

const errorish = (text: string) => /"level":"(error|fatal)"|\[error\]|\[emerg\]|level=error|^[EF]\d{4} /.test(text);

describe('sim log lines', () => {
  it('gives the same lines for the same seed and windows, and other lines for another seed', () => {
    const a = run(cluster(), createRng(logSeed(5)), 50);
    const b = run(cluster(), createRng(logSeed(5)), 50);
    const c = run(cluster(), createRng(logSeed(6)), 50);
    expect(entries(a).length).toBeGreaterThan(100);
    expect(a).toEqual(b);
    expect(entries(c).map((e) => e.text)).not.toEqual(entries(a).map((e) => e.text));
  });

  it('writes about linesPerSecond everyday lines on top of each new container’s startup lines', () => {
    const state = cluster();
    const batches = run(state, createRng(1), 500, 20);
    const startup = entries(batches.slice(0, 1)).length;
    // 100 s at 20 events/s; an event is one line or a few (an error and its stack trace).
    const later = entries(batches.slice(1)).length;
    expect(startup).toBeGreaterThanOrEqual(logContainers(state).length * 2);
    expect(later).toBeGreaterThan(0.85 * 20 * 99.8);
    expect(later).toBeLessThan(1.3 * 20 * 99.8);
    expect(run(state, createRng(1), 10, 0).flat()).toEqual([]);
  });

  it('puts every line inside its window, in order per container, without newlines', () => {
    const batches = run(cluster(), createRng(2), 100);
    batches.forEach((window, i) => {
      for (const { lines } of window) {
        for (const l of lines) {
          expect(l.at.ms).toBeGreaterThanOrEqual(T0 + i * STEP);
          expect(l.at.ms).toBeLessThan(T0 + (i + 1) * STEP);
          expect(l.text).not.toContain('\n');
        }
        for (let j = 1; j < lines.length; j += 1) expect(compareNano(lines[j - 1]!.at, lines[j]!.at)).toBeLessThan(0);
      }
    });
  });

  it('cuts a window longer than MAX_WINDOW_MS to its most recent part', () => {
    const state = cluster();
    const long = linesForWindow(logContainers(state), { fromMs: T0 - 3_600_000, toMs: T0, linesPerSecond: 20, started: new Set(logContainers(state).map(instanceKey)) }, createRng(3));
    const all = long.flatMap((b) => b.lines);
    expect(all.every((l) => l.at.ms >= T0 - MAX_WINDOW_MS)).toBe(true);
    expect(all.length).toBeLessThan(20 * (MAX_WINDOW_MS / 1000) * 3);
  });

  it('writes JSON application lines with a level, a message and nested http, user and trace fields', () => {
    const json = entries(run(cluster(), createRng(4), 300)).filter((e) => e.container.style === 'json' && e.text.startsWith('{'));
    expect(json.length).toBeGreaterThan(300);
    interface AppLine {
      level: string;
      msg: unknown;
      trace_id?: string;
      http?: { status: unknown };
      user?: { id: string };
    }
    const parsed = json.map((e) => JSON.parse(e.text) as AppLine);
    for (const p of parsed) {
      expect(['debug', 'info', 'warn', 'error', 'fatal']).toContain(p.level);
      expect(typeof p.msg).toBe('string');
    }
    const requests = parsed.filter((p) => p.http);
    expect(requests.length).toBeGreaterThan(100);
    for (const p of requests) {
      expect(typeof p.http!.status).toBe('number');
      expect(p.user!.id).toMatch(/^\d+$/);
      expect(p.trace_id).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(new Set(parsed.map((p) => p.level))).toEqual(new Set(['debug', 'info', 'warn', 'error']));
  });

  it('writes access logs for front ends, klog for kube-system and multi-line stack traces on stderr', () => {
    const all = entries(run(cluster(), createRng(5), 500));
    const access = all.filter((e) => e.container.style === 'access');
    expect(access.length).toBeGreaterThan(50);
    for (const e of access.filter((x) => x.stream === 'stdout')) expect(e.text).toMatch(/^\d+\.\d+\.\d+\.\d+ - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "(GET|POST|PUT|DELETE) \S+ HTTP\/1\.1" \d{3} \d+ "-" "[^"]+"/);
    const klog = all.filter((e) => e.container.style === 'klog');
    expect(klog.length).toBeGreaterThan(10);
    for (const e of klog) expect(e.text).toMatch(/^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d{6} +\d+ [\w.]+:\d+\] /);
    const trace = all.filter((e) => e.stream === 'stderr' && e.text.startsWith('    at '));
    expect(trace.length).toBeGreaterThan(3);
  });

  it('writes some lines longer than the runtime limit, which become P partials and an F', () => {
    const long = entries(run(cluster(), createRng(6), 3000)).filter((e) => e.text.length > CRI_MAX_LINE_BYTES);
    expect(long.length).toBeGreaterThan(0);
    const cri = criLines(long[0]!.at, long[0]!.stream, long[0]!.text);
    expect(cri.length).toBeGreaterThan(1);
    expect(cri.map((l) => l.split(' ')[2] as string)).toEqual([...cri.slice(1).map(() => 'P'), 'F']);
    expect((JSON.parse(long[0]!.text) as { level: string }).level).toBe('warn');
  });

  it('bursts errors on stderr from a crash-looping pod and its neighbours while the fault lasts', () => {
    const calm = cluster();
    const faulty = cluster();
    const pod = withCrashLoop(faulty, (p) => p.namespace === 'payments' && p.name.startsWith('payments-api-'));
    const before = entries(run(calm, createRng(7), 200), pod.name).filter((e) => errorish(e.text)).length;
    const during = entries(run(faulty, createRng(7), 200));
    const mine = during.filter((e) => e.container.pod === pod.name);
    const errors = mine.filter((e) => errorish(e.text));
    expect(errors.length).toBeGreaterThan(before + 100);
    expect(errors.every((e) => e.stream === 'stderr')).toBe(true);
    expect(mine.some((e) => /"level":"fatal"/.test(e.text) && /connection refused/.test(e.text))).toBe(true);
    // The ingress in front of it answers 5xx and logs failed upstream connections.
    const ingress = during.filter((e) => e.container.style === 'access' && e.container.namespace === 'ingress-nginx');
    expect(ingress.some((e) => /\[error\].*(Connection refused|timed out)/.test(e.text))).toBe(true);
    expect(ingress.some((e) => / 50[234] \d+ "-"/.test(e.text))).toBe(true);
  });

  it('starts a restarted container with startup lines again (a new instance, a new file)', () => {
    const state = cluster();
    const containers = logContainers(state);
    const started = new Set(containers.map(instanceKey));
    const quiet = linesForWindow(containers, { fromMs: T0, toMs: T0 + STEP, linesPerSecond: 20, started }, createRng(8));
    expect(quiet.flatMap((b) => b.lines).some((l) => /"msg":"starting /.test(l.text))).toBe(false);
    const pod = state.pods.find((p) => styleOf(state.workloads[p.workload]!) === 'json')!;
    pod.restarts += 1;
    const after = linesForWindow(logContainers(state), { fromMs: T0 + STEP, toMs: T0 + 2 * STEP, linesPerSecond: 20, started }, createRng(8));
    const mine = after.find((b) => b.container.pod === pod.name)!;
    expect(mine.container.restartCount).toBe(pod.restarts);
    expect(mine.lines[0]!.text).toMatch(/"msg":"starting /);
  });

  it('writes nothing for pods that are not running, and reports a NotReady node from kube-system', () => {
    const state = cluster();
    const node = state.nodes[0]!;
    node.ready = false;
    const onNode = state.pods.filter((p) => p.node === node.name);
    for (const p of onNode) p.phase = 'Unknown';
    state.faults.push({ id: 1, kind: 'node-not-ready', target: node.name, endsTick: 10 });
    const pending = state.pods.find((p) => p.node !== node.name)!;
    pending.phase = 'Pending';
    pending.node = null;
    const all = entries(run(state, createRng(9), 200));
    const silent = new Set([...onNode, pending].map((p) => p.name));
    expect(all.some((e) => silent.has(e.container.pod))).toBe(false);
    expect(all.some((e) => e.container.style === 'klog' && e.text.startsWith('E') && e.text.includes(`node="${node.name}"`))).toBe(true);
  });

  it('names containers exactly as the sim names its pods, with a uid that is stable per pod', () => {
    const state = cluster();
    for (const c of logContainers(state)) {
      const pod = state.pods.find((p) => p.name === c.pod && p.namespace === c.namespace)!;
      expect(c.uid).toBe(pod.uid);
      expect(c.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(c.container).toBe(state.workloads[pod.workload]!.container);
      expect(c.node).toBe(pod.node);
    }
    expect(new Set(state.pods.map((p) => p.uid)).size).toBe(state.pods.length);
    expect(cluster().pods.map((p) => p.uid)).toEqual(state.pods.map((p) => p.uid));
  });
});

// The CPU seconds each simulated container has used, as cAdvisor's container_cpu_usage_seconds_total
// counts them: the simulated usage (request × load, in cores) integrated over time. The sim holds a
// container's usage steady between two changes of its state, so the integral is exact: each
// observation adds the rate that held since the previous one, then takes the rate from now on.
// A container restart is a new container (a new cgroup and id) whose count starts again at 0, as
// cAdvisor's does; the old container's count goes with it. Pure: times come in as arguments.
import { createHash } from 'node:crypto';
import type { SimPod, SimState } from './state.js';

export interface ContainerRun {
  /** The container runtime's id for this run of the container (64 hex digits, like containerd's). */
  containerId: string;
  /** CPU seconds used up to `atMs`. */
  seconds: number;
  /** Cores in use since `atMs`, until the next observation. */
  cores: number;
  atMs: number;
}

/** A container run is the pod (uid) and how often its container restarted before it. */
function runKey(pod: Pick<SimPod, 'uid' | 'restarts'>): string {
  return `${pod.uid}/${pod.restarts}`;
}

/** A containerd-like id, derived from the run so a replay of the sim gives the same ids. */
export function containerIdOf(pod: Pick<SimPod, 'uid' | 'restarts'>): string {
  return createHash('sha256').update(`container:${runKey(pod)}`).digest('hex');
}

/** Cores a pod's container uses while it runs: only a Running pod's container is using any. */
export function coresInUse(pod: SimPod): number {
  return pod.phase === 'Running' && pod.node !== null ? (pod.cpuRequestMillis * pod.cpuLoad) / 1000 : 0;
}

export class CpuUsage {
  private readonly runs = new Map<string, ContainerRun>();

  /**
   * Brings every container's count up to `atMs` at the rate that held since it was last observed, and
   * records the rates `state` sets from now on. Call it after every change of the state and before
   * every read. Time that runs backwards adds nothing, so a count never decreases.
   */
  observe(state: SimState, atMs: number): void {
    const seen = new Set<string>();
    for (const pod of state.pods) {
      if (pod.node === null) continue;
      const key = runKey(pod);
      seen.add(key);
      const cores = coresInUse(pod);
      const run = this.runs.get(key);
      if (!run) {
        this.runs.set(key, { containerId: containerIdOf(pod), seconds: 0, cores, atMs });
        continue;
      }
      if (atMs > run.atMs) {
        run.seconds += (run.cores * (atMs - run.atMs)) / 1000;
        run.atMs = atMs;
      }
      run.cores = cores;
    }
    // Deleted pods and restarted containers: their cgroups are gone.
    for (const key of this.runs.keys()) if (!seen.has(key)) this.runs.delete(key);
  }

  /** The pod's current container run, once it has been observed on a node. */
  run(pod: Pick<SimPod, 'uid' | 'restarts'>): ContainerRun | undefined {
    return this.runs.get(runKey(pod));
  }

  get size(): number {
    return this.runs.size;
  }
}

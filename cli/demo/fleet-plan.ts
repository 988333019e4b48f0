// The demo's simulated fleet: varied labels, sizes and fault rates so every health state shows up
// within a minute. Pure and deterministic, so the same --clusters N always gives the same fleet.
import { SIM_LOGS_DEFAULT, type SimConfig } from '../../config/schemas.js';

export interface DemoCluster {
  name: string;
  labels: Record<string, string>;
  intervalSeconds: number;
  sim: SimConfig;
  /** The agent is stopped after its first reports so the cluster turns unreachable. */
  goesDark: boolean;
}

const ENVS = ['prod', 'staging', 'dev'] as const;
const TEAMS = ['payments', 'checkout', 'platform', 'search', 'identity', 'data'] as const;
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2', 'eu-central-1'] as const;
const K8S = ['v1.31.4', 'v1.30.8', 'v1.29.12'] as const;

/** Small integer hash so sizes look random but never change between runs. */
function mix(i: number, salt: number): number {
  let x = (i + 1) * 0x9e3779b1 + salt * 0x85ebca6b;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return ((x ^ (x >>> 16)) >>> 0) / 0x1_0000_0000;
}

function pick<T>(list: readonly T[], i: number, salt: number): T {
  return list[Math.floor(mix(i, salt) * list.length)] as T;
}

export function fleetPlan(count: number): DemoCluster[] {
  const plan: DemoCluster[] = [];
  for (let i = 0; i < count; i += 1) {
    const env = ENVS[i % ENVS.length] as string;
    const team = TEAMS[Math.floor(i / ENVS.length) % TEAMS.length] as string;
    const region = pick(REGIONS, i, 1);
    // every fourth cluster is deliberately unstable so degraded and critical states appear quickly
    const faulty = i % 4 === 2;
    const faultRate = faulty ? 0.2 + mix(i, 2) * 0.1 : Math.round(mix(i, 3) * 5) / 100;
    plan.push({
      name: `${env}-${team}-${String(i + 1).padStart(2, '0')}`,
      labels: { env, team, region },
      intervalSeconds: 2 + Math.floor(mix(i, 4) * 4),
      sim: {
        nodes: 3 + Math.floor(mix(i, 5) * 38),
        deployments: 5 + Math.floor(mix(i, 6) * 56),
        faultRate: Math.round(faultRate * 100) / 100,
        seed: i + 1,
        kubernetesVersion: pick(K8S, i, 7),
        logs: SIM_LOGS_DEFAULT,
      },
      goesDark: count > 1 && i === 1,
    });
  }
  return plan;
}

import { describe, expect, it } from 'vitest';
import { fleetPlan } from '../../../../cli/demo/fleet-plan.js';
import { SimConfigSchema } from '../../../../config/schemas.js';
import { CLUSTER_NAME } from '../../../../core/store/types.js';

describe('demo fleet plan', () => {
  const plan = fleetPlan(12);

  it('is deterministic', () => {
    expect(fleetPlan(12)).toEqual(plan);
    expect(fleetPlan(5)).toEqual(plan.slice(0, 5));
  });

  it('gives unique valid names, varied labels and valid sim configs', () => {
    expect(new Set(plan.map((c) => c.name)).size).toBe(12);
    for (const c of plan) {
      expect(c.name).toMatch(CLUSTER_NAME);
      expect(SimConfigSchema.parse(c.sim)).toEqual(c.sim);
      expect(c.sim.nodes).toBeGreaterThanOrEqual(3);
      expect(c.sim.nodes).toBeLessThanOrEqual(40);
      expect(c.sim.deployments).toBeGreaterThanOrEqual(5);
      expect(c.sim.deployments).toBeLessThanOrEqual(60);
      expect(c.sim.faultRate).toBeGreaterThanOrEqual(0);
      expect(c.sim.faultRate).toBeLessThanOrEqual(0.3);
      expect(c.intervalSeconds).toBeGreaterThanOrEqual(2);
      expect(c.intervalSeconds).toBeLessThanOrEqual(5);
    }
    expect(new Set(plan.map((c) => c.labels.env))).toEqual(new Set(['prod', 'staging', 'dev']));
    expect(new Set(plan.map((c) => c.labels.team)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(plan.map((c) => c.labels.region)).size).toBeGreaterThanOrEqual(2);
  });

  it('includes a few faulty clusters and exactly one that goes dark', () => {
    expect(plan.filter((c) => c.sim.faultRate >= 0.2).length).toBeGreaterThanOrEqual(2);
    expect(plan.filter((c) => c.sim.faultRate <= 0.05).length).toBeGreaterThanOrEqual(6);
    expect(plan.filter((c) => c.goesDark)).toHaveLength(1);
    expect(fleetPlan(1)[0]?.goesDark).toBe(false);
  });
});

// The Grafana dashboards: the datasource and cluster variables (kubernetes-mixin's multi-cluster
// convention), and panels that read only what crosses to the center (up and the cluster:* rules),
// each selector filtered by the cluster variable. Their PromQL parses: promtool's check, in
// test/integration/metrics/promtool.test.ts.
import { describe, expect, it } from 'vitest';
import { CLUSTER_UID, clusterDashboard, dashboards, FLEET_UID, fleetDashboard, SCHEMA_VERSION, type GrafanaPanel } from '../../../../core/metrics/dashboards.js';
import { RECORDED_NAMES } from '../../../../core/metrics/recording-rules.js';
import { selectors } from '../../../harness/promql-names.js';

const all = dashboards();

function panelsOf(ps: GrafanaPanel[]): GrafanaPanel[] {
  return ps.flatMap((p) => [p, ...panelsOf(p.panels ?? [])]);
}

describe('dashboards', () => {
  it('are the fleet overview and the cluster detail, as flotilla-*.json', () => {
    expect(all.map((d) => [d.file, d.dashboard.uid])).toEqual([
      ['flotilla-fleet.json', FLEET_UID],
      ['flotilla-cluster.json', CLUSTER_UID],
    ]);
    for (const { dashboard: d } of all) {
      expect(d.schemaVersion).toBe(SCHEMA_VERSION);
      expect(d.tags).toContain('flotilla');
      expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    }
  });

  it('have a Prometheus datasource variable and a cluster variable from label_values(up, cluster)', () => {
    for (const { dashboard: d } of all) {
      const [ds, cluster] = d.templating.list;
      expect(ds).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
      expect(cluster).toMatchObject({ name: 'cluster', type: 'query', query: 'label_values(up, cluster)', definition: 'label_values(up, cluster)', datasource: { type: 'prometheus', uid: '${datasource}' } });
    }
    // The fleet picks any clusters (All by default); the detail one at a time.
    expect(fleetDashboard().templating.list[1]).toMatchObject({ multi: true, includeAll: true, allValue: '.+' });
    expect(clusterDashboard().templating.list[1]).toMatchObject({ multi: false, includeAll: false });
  });

  it('query only up and cluster:* recording rules, every selector filtered by $cluster', () => {
    let targets = 0;
    for (const { dashboard: d } of all) {
      for (const p of panelsOf(d.panels)) {
        for (const t of p.targets ?? []) {
          targets += 1;
          const sels = selectors(t.expr);
          expect(sels.length, t.expr).toBeGreaterThan(0);
          for (const s of sels) {
            expect(s.metric === 'up' || RECORDED_NAMES.includes(s.metric), `${p.title}: ${s.metric}`).toBe(true);
            expect(s.matchers, `${p.title}: ${t.expr}`).toContain('cluster=~"$cluster"');
          }
          expect(t.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        }
      }
    }
    expect(targets).toBeGreaterThan(20);
  });

  it('show every ratio, count and rate the console panes have', () => {
    const used = new Set(all.flatMap(({ dashboard: d }) => panelsOf(d.panels).flatMap((p) => (p.targets ?? []).flatMap((t) => selectors(t.expr).map((s) => s.metric)))));
    for (const name of RECORDED_NAMES) expect(used.has(name), name).toBe(true);
  });

  it('lay panels out on the 24-column grid, with unique ids, none overlapping', () => {
    for (const { dashboard: d } of all) {
      const ps = panelsOf(d.panels);
      expect(new Set(ps.map((p) => p.id)).size).toBe(ps.length);
      const cells = new Set<string>();
      for (const p of ps) {
        const g = p.gridPos;
        expect(g.x + g.w, p.title).toBeLessThanOrEqual(24);
        for (let x = g.x; x < g.x + g.w; x++) {
          for (let y = g.y; y < g.y + g.h; y++) {
            const cell = `${x},${y}`;
            expect(cells.has(cell), `${d.uid}: ${p.title} overlaps at ${cell}`).toBe(false);
            cells.add(cell);
          }
        }
      }
    }
  });
});

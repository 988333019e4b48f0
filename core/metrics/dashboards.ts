// Grafana dashboards for the central Prometheus (docs/METRICS.md, "Grafana dashboards"): a fleet
// overview and a cluster detail, with a `datasource` variable and the kubernetes-mixin multi-cluster
// `cluster` variable (label_values(up, cluster)). Every panel reads only what crosses to the center,
// `up` and the `cluster:*` recording rules (recording-rules.ts), filtered by cluster=~"$cluster".
// Pure: the dashboard models as data, serialized as JSON by whoever writes them.

/** Grafana 10.4 / 11 write dashboards at schema 39; newer Grafanas migrate it on load. */
export const SCHEMA_VERSION = 39;
const DS = { type: 'prometheus', uid: '${datasource}' } as const;
const SEL = 'cluster=~"$cluster"';

export interface GrafanaTarget {
  refId: string;
  expr: string;
  legendFormat: string;
  datasource: typeof DS;
  instant?: boolean;
  range?: boolean;
}

export interface GrafanaPanel {
  id: number;
  type: 'timeseries' | 'stat' | 'row';
  title: string;
  description?: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: typeof DS;
  targets?: GrafanaTarget[];
  fieldConfig?: { defaults: Record<string, unknown>; overrides: unknown[] };
  options?: Record<string, unknown>;
  collapsed?: boolean;
  panels?: GrafanaPanel[];
}

export interface GrafanaDashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  editable: boolean;
  graphTooltip: number;
  schemaVersion: number;
  version: number;
  refresh: string;
  time: { from: string; to: string };
  timepicker: Record<string, unknown>;
  timezone: string;
  annotations: { list: unknown[] };
  links: unknown[];
  templating: { list: Record<string, unknown>[] };
  panels: GrafanaPanel[];
}

export interface DashboardFile {
  /** The file name the CLI writes it as. */
  file: string;
  dashboard: GrafanaDashboard;
}

type Unit = 'percentunit' | 'short' | 'bytes' | 'none' | 'reqps';

interface PanelSpec {
  title: string;
  description: string;
  unit: Unit;
  w: number;
  h?: number;
  targets: { expr: string; legend: string }[];
  stacked?: boolean;
  max?: number;
  decimals?: number;
  /** stat panels: thresholds from green, [value, colour] ascending. */
  thresholds?: [number, string][];
}

function target(refId: string, expr: string, legendFormat: string, instant = false): GrafanaTarget {
  return { refId, expr, legendFormat, datasource: DS, ...(instant ? { instant: true, range: false } : {}) };
}

const REF = 'ABCDEFGHIJ';

function thresholds(steps: [number, string][] = []): Record<string, unknown> {
  return { mode: 'absolute', steps: [{ color: 'green', value: null }, ...steps.map(([value, color]) => ({ color, value }))] };
}

function timeseries(id: number, p: PanelSpec, x: number, y: number): GrafanaPanel {
  return {
    id,
    type: 'timeseries',
    title: p.title,
    description: p.description,
    datasource: DS,
    gridPos: { h: p.h ?? 8, w: p.w, x, y },
    targets: p.targets.map((t, i) => target(REF[i] ?? 'Z', t.expr, t.legend)),
    fieldConfig: {
      defaults: {
        unit: p.unit,
        min: 0,
        ...(p.max !== undefined ? { max: p.max } : {}),
        ...(p.decimals !== undefined ? { decimals: p.decimals } : {}),
        color: { mode: 'palette-classic' },
        custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: p.stacked ? 30 : 10, showPoints: 'never', spanNulls: false, stacking: { mode: p.stacked ? 'normal' : 'none', group: 'A' } },
        thresholds: thresholds(),
      },
      overrides: [],
    },
    options: { legend: { showLegend: true, displayMode: 'table', placement: 'right', calcs: ['lastNotNull', 'max'] }, tooltip: { mode: 'multi', sort: 'desc' } },
  };
}

function stat(id: number, p: PanelSpec, x: number, y: number): GrafanaPanel {
  return {
    id,
    type: 'stat',
    title: p.title,
    description: p.description,
    datasource: DS,
    gridPos: { h: p.h ?? 4, w: p.w, x, y },
    targets: p.targets.map((t, i) => target(REF[i] ?? 'Z', t.expr, t.legend, true)),
    fieldConfig: {
      defaults: { unit: p.unit, ...(p.decimals !== undefined ? { decimals: p.decimals } : {}), ...(p.max !== undefined ? { max: p.max } : {}), color: { mode: 'thresholds' }, thresholds: thresholds(p.thresholds) },
      overrides: [],
    },
    options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', justifyMode: 'auto', textMode: 'auto', orientation: 'auto' },
  };
}

function row(id: number, title: string, y: number): GrafanaPanel {
  return { id, type: 'row', title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] };
}

/** Lays panels out left to right in rows of 24 columns, a row header before each section. */
function layout(sections: { title: string; kind: 'stat' | 'timeseries'; panels: PanelSpec[] }[]): GrafanaPanel[] {
  const out: GrafanaPanel[] = [];
  let id = 1;
  let y = 0;
  for (const s of sections) {
    out.push(row(id++, s.title, y));
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const p of s.panels) {
      const h = p.h ?? (s.kind === 'stat' ? 4 : 8);
      if (x + p.w > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      out.push(s.kind === 'stat' ? stat(id++, p, x, y) : timeseries(id++, p, x, y));
      x += p.w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return out;
}

function variables(clusterMulti: boolean): Record<string, unknown>[] {
  return [
    { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0, refresh: 1, regex: '', options: [] },
    {
      name: 'cluster',
      label: 'Cluster',
      type: 'query',
      datasource: DS,
      definition: 'label_values(up, cluster)',
      query: 'label_values(up, cluster)',
      refresh: 2,
      sort: 1,
      hide: 0,
      multi: clusterMulti,
      includeAll: clusterMulti,
      ...(clusterMulti ? { allValue: '.+', current: { selected: true, text: ['All'], value: ['$__all'] } } : { current: {} }),
      options: [],
      regex: '',
    },
  ];
}

function dashboard(uid: string, title: string, description: string, clusterMulti: boolean, panels: GrafanaPanel[], links: unknown[]): GrafanaDashboard {
  return {
    uid,
    title,
    description,
    tags: ['flotilla', 'kubernetes'],
    editable: true,
    graphTooltip: 1,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    timezone: 'utc',
    annotations: { list: [{ builtIn: 1, datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true, hide: true, iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard' }] },
    links,
    templating: { list: variables(clusterMulti) },
    panels,
  };
}

export const FLEET_UID = 'flotilla-fleet';
export const CLUSTER_UID = 'flotilla-cluster';

const byCluster = '{{cluster}}';

export function fleetDashboard(): GrafanaDashboard {
  const panels = layout([
    {
      title: 'Fleet',
      kind: 'stat',
      panels: [
        { title: 'Clusters', description: 'Clusters with any series at the center (federated or remote-written).', unit: 'none', w: 3, targets: [{ expr: `count(count by (cluster) (up{${SEL}}))`, legend: 'clusters' }] },
        { title: 'Edges unreachable', description: 'Federated edges the central Prometheus cannot scrape (up of the federation job is 0).', unit: 'none', w: 3, thresholds: [[1, 'red']], targets: [{ expr: `count(up{job="flotilla-federate", ${SEL}} == 0) or vector(0)`, legend: 'edges' }] },
        { title: 'Scrape targets down', description: "Edge scrape targets (kube-state-metrics, kubelets, the agent) that are down, across the clusters.", unit: 'none', w: 3, thresholds: [[1, 'orange']], targets: [{ expr: `count(up{job!="flotilla-federate", ${SEL}} == 0) or vector(0)`, legend: 'targets' }] },
        { title: 'Nodes', description: 'Nodes across the clusters.', unit: 'none', w: 3, targets: [{ expr: `sum(cluster:nodes:count{${SEL}})`, legend: 'nodes' }] },
        { title: 'Nodes ready', description: 'Ready nodes against all nodes.', unit: 'percentunit', w: 3, max: 1, decimals: 1, thresholds: [[0, 'red'], [0.9, 'orange'], [1, 'green']], targets: [{ expr: `sum(cluster:nodes_ready:count{${SEL}}) / sum(cluster:nodes:count{${SEL}})`, legend: 'ready' }] },
        { title: 'Pods pending', description: 'Pods in phase Pending across the clusters.', unit: 'none', w: 3, thresholds: [[1, 'orange']], targets: [{ expr: `sum(cluster:pods_by_phase:count{phase="Pending", ${SEL}})`, legend: 'pending' }] },
        { title: 'Crash-looping containers', description: 'Containers waiting in CrashLoopBackOff across the clusters.', unit: 'none', w: 3, thresholds: [[1, 'red']], targets: [{ expr: `sum(cluster:containers_crashlooping:count{${SEL}})`, legend: 'containers' }] },
        { title: 'Container restarts', description: 'Restarts of the containers of the pods that exist now, across the clusters.', unit: 'none', w: 3, targets: [{ expr: `sum(cluster:container_restarts:count{${SEL}})`, legend: 'restarts' }] },
      ],
    },
    {
      title: 'Usage by cluster',
      kind: 'timeseries',
      panels: [
        { title: 'CPU used', description: "Containers' CPU against the nodes' capacity.", unit: 'percentunit', w: 12, targets: [{ expr: `cluster:cpu_usage:ratio{${SEL}}`, legend: byCluster }] },
        { title: 'Memory used', description: "Containers' working set against the nodes' memory.", unit: 'percentunit', w: 12, targets: [{ expr: `cluster:memory_working_set:ratio{${SEL}}`, legend: byCluster }] },
        { title: 'Pod density', description: "Pods on nodes against the nodes' pod capacity.", unit: 'percentunit', w: 12, targets: [{ expr: `cluster:pod_density:ratio{${SEL}}`, legend: byCluster }] },
        { title: 'CPU requested', description: "CPU requested by Pending and Running pods against the nodes' capacity: how full the scheduler sees the cluster.", unit: 'percentunit', w: 12, targets: [{ expr: `cluster:cpu_requests:cores{${SEL}} / cluster:node_cpu_capacity:cores{${SEL}}`, legend: byCluster }] },
      ],
    },
    {
      title: 'Health by cluster',
      kind: 'timeseries',
      panels: [
        { title: 'Nodes not ready', description: 'Nodes whose Ready condition is not true.', unit: 'none', w: 8, decimals: 0, targets: [{ expr: `cluster:nodes:count{${SEL}} - cluster:nodes_ready:count{${SEL}}`, legend: byCluster }] },
        { title: 'Pods not running', description: 'Pods in phase Pending, Failed or Unknown.', unit: 'none', w: 8, decimals: 0, targets: [{ expr: `sum by (cluster) (cluster:pods_by_phase:count{phase=~"Pending|Failed|Unknown", ${SEL}})`, legend: byCluster }] },
        { title: 'Container restarts', description: 'Restarts per hour, over 5 minutes.', unit: 'none', w: 8, targets: [{ expr: `cluster:container_restarts:rate5m{${SEL}} * 3600`, legend: byCluster }] },
      ],
    },
  ]);
  return dashboard(FLEET_UID, 'Flotilla / Fleet', 'Every cluster at once, from the cluster:* series the edges federate or remote-write to the central Prometheus.', true, panels, [
    { title: 'Cluster detail', type: 'link', url: `/d/${CLUSTER_UID}?\${__url_time_range}&\${cluster:queryparam}`, icon: 'dashboard', targetBlank: false },
  ]);
}

export function clusterDashboard(): GrafanaDashboard {
  const panels = layout([
    {
      title: 'Now',
      kind: 'stat',
      panels: [
        { title: 'CPU used', description: "Containers' CPU against the nodes' capacity.", unit: 'percentunit', w: 4, decimals: 1, thresholds: [[0.8, 'orange'], [0.95, 'red']], targets: [{ expr: `sum(cluster:cpu_usage:ratio{${SEL}})`, legend: 'cpu' }] },
        { title: 'Memory used', description: "Containers' working set against the nodes' memory.", unit: 'percentunit', w: 4, decimals: 1, thresholds: [[0.8, 'orange'], [0.95, 'red']], targets: [{ expr: `sum(cluster:memory_working_set:ratio{${SEL}})`, legend: 'memory' }] },
        { title: 'Nodes ready', description: 'Ready nodes of all nodes.', unit: 'none', w: 4, targets: [{ expr: `sum(cluster:nodes_ready:count{${SEL}})`, legend: 'ready' }, { expr: `sum(cluster:nodes:count{${SEL}})`, legend: 'total' }] },
        { title: 'Pods running', description: 'Pods in phase Running.', unit: 'none', w: 4, targets: [{ expr: `sum(cluster:pods_by_phase:count{phase="Running", ${SEL}})`, legend: 'running' }] },
        { title: 'Crash-looping containers', description: 'Containers waiting in CrashLoopBackOff.', unit: 'none', w: 4, thresholds: [[1, 'red']], targets: [{ expr: `sum(cluster:containers_crashlooping:count{${SEL}})`, legend: 'containers' }] },
        { title: 'Scrape targets down', description: 'Edge scrape targets that are down, and the federation of the edge itself.', unit: 'none', w: 4, thresholds: [[1, 'red']], targets: [{ expr: `count(up{${SEL}} == 0) or vector(0)`, legend: 'down' }] },
      ],
    },
    {
      title: 'Resources',
      kind: 'timeseries',
      panels: [
        {
          title: 'CPU',
          description: 'Cores used by containers, requested by Pending and Running pods, and the nodes\' capacity.',
          unit: 'short',
          w: 12,
          targets: [
            { expr: `cluster:cpu_usage:cores{${SEL}}`, legend: 'used {{cluster}}' },
            { expr: `cluster:cpu_requests:cores{${SEL}}`, legend: 'requested {{cluster}}' },
            { expr: `cluster:node_cpu_capacity:cores{${SEL}}`, legend: 'capacity {{cluster}}' },
          ],
        },
        {
          title: 'Memory',
          description: "Containers' working set, requests of Pending and Running pods, and the nodes' capacity.",
          unit: 'bytes',
          w: 12,
          targets: [
            { expr: `cluster:memory_working_set:bytes{${SEL}}`, legend: 'working set {{cluster}}' },
            { expr: `cluster:memory_requests:bytes{${SEL}}`, legend: 'requested {{cluster}}' },
            { expr: `cluster:node_memory_capacity:bytes{${SEL}}`, legend: 'capacity {{cluster}}' },
          ],
        },
      ],
    },
    {
      title: 'Workloads',
      kind: 'timeseries',
      panels: [
        { title: 'Pods by phase', description: 'Pods in each phase, stacked.', unit: 'none', w: 8, stacked: true, decimals: 0, targets: [{ expr: `sum by (phase) (cluster:pods_by_phase:count{${SEL}})`, legend: '{{phase}}' }] },
        { title: 'Pod density', description: "Pods on nodes against the nodes' pod capacity.", unit: 'percentunit', w: 8, targets: [{ expr: `cluster:pod_density:ratio{${SEL}}`, legend: byCluster }] },
        { title: 'Container restarts', description: 'Restarts per hour over 5 minutes, and crash-looping containers.', unit: 'none', w: 8, targets: [{ expr: `cluster:container_restarts:rate5m{${SEL}} * 3600`, legend: 'restarts/h {{cluster}}' }, { expr: `cluster:containers_crashlooping:count{${SEL}}`, legend: 'crash-looping {{cluster}}' }] },
      ],
    },
    {
      title: 'Nodes',
      kind: 'timeseries',
      panels: [
        { title: 'Nodes', description: 'Nodes, Ready nodes and cordoned nodes.', unit: 'none', w: 8, decimals: 0, targets: [{ expr: `cluster:nodes:count{${SEL}}`, legend: 'nodes {{cluster}}' }, { expr: `cluster:nodes_ready:count{${SEL}}`, legend: 'ready {{cluster}}' }, { expr: `cluster:nodes_unschedulable:count{${SEL}}`, legend: 'cordoned {{cluster}}' }] },
        {
          title: 'Pods and pod capacity',
          description: "Pods not finished (Pending, Running, Unknown) against the pods the nodes can hold.",
          unit: 'none',
          w: 8,
          decimals: 0,
          targets: [
            { expr: `sum by (cluster) (cluster:pods_by_phase:count{phase=~"Pending|Running|Unknown", ${SEL}})`, legend: 'pods {{cluster}}' },
            { expr: `cluster:node_pods_capacity:count{${SEL}}`, legend: 'capacity {{cluster}}' },
          ],
        },
        { title: 'Scrape targets', description: "The edge's scrape targets by job (1 up, 0 down), and the center's federation of the edge.", unit: 'none', w: 8, max: 1, decimals: 0, targets: [{ expr: `up{${SEL}}`, legend: '{{job}} {{instance}}' }] },
      ],
    },
    {
      title: 'Agent',
      kind: 'timeseries',
      panels: [{ title: 'Log lines shipped', description: 'Log lines the agent shipped per second, over 5 minutes.', unit: 'reqps', w: 24, targets: [{ expr: `cluster:log_lines_shipped:rate5m{${SEL}}`, legend: byCluster }] }],
    },
  ]);
  return dashboard(CLUSTER_UID, 'Flotilla / Cluster', "One cluster's resources, workloads and scrape health, from its cluster:* series at the central Prometheus.", false, panels, [
    { title: 'Fleet', type: 'link', url: `/d/${FLEET_UID}?\${__url_time_range}`, icon: 'dashboard', targetBlank: false },
  ]);
}

/** Both dashboards, with the file names `flotilla metrics dashboards` writes them as. */
export function dashboards(): DashboardFile[] {
  return [
    { file: 'flotilla-fleet.json', dashboard: fleetDashboard() },
    { file: 'flotilla-cluster.json', dashboard: clusterDashboard() },
  ];
}

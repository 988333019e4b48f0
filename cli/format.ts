// Human renderings of daemon payloads for `cluster list`, `token list` and `info`. Pure.
import type { BindingInfo, InfoResponse, TokenInfo } from '../core/api.js';
import { formatAge } from '../core/duration.js';
import type { ClusterRow } from '../core/fleet.js';
import type { FlotillaPaths } from '../config/paths.js';
import { formatLabels } from './labels.js';
import { renderTable, truncate } from './table.js';

export function clusterTable(rows: readonly ClusterRow[]): string {
  return renderTable(
    ['NAME', 'HEALTH', 'REASONS', 'K8S', 'NODES', 'PODS', 'AGE', 'LABELS'],
    rows.map((r) => [
      r.name,
      r.registration === 'registered' ? r.health : `${r.health} (${r.registration})`,
      truncate(r.reasons.join('; ') || '-', 48),
      r.kubernetesVersion ?? '-',
      `${r.nodes.ready}/${r.nodes.total}`,
      `${r.pods.running}/${r.pods.total}`,
      r.dataAgeSeconds === null ? '-' : formatAge(r.dataAgeSeconds * 1000),
      formatLabels(r.labels) || '-',
    ]),
  );
}

function date(iso: string | null): string {
  return iso === null ? '-' : iso.replace(/\.\d+Z$/, 'Z');
}

export function tokenTable(tokens: readonly TokenInfo[]): string {
  return renderTable(
    ['ID', 'NAME', 'ROLE', 'SCOPE', 'CREATED', 'EXPIRES', 'LAST USED', 'STATE'],
    tokens.map((t) => [t.id, t.name, t.role, t.scope ?? '*', date(t.createdAt), date(t.expiresAt), date(t.lastUsedAt), t.revokedAt ? `revoked ${date(t.revokedAt)}` : 'active']),
  );
}

export function bindingTable(bindings: readonly BindingInfo[]): string {
  return renderTable(
    ['ID', 'KIND', 'NAME', 'ROLE', 'SCOPE', 'SOURCE', 'CREATED', 'BY'],
    bindings.map((b) => [b.id, b.kind, b.name, b.role, b.scope ?? '*', b.source === 'config' ? 'daemon.yaml' : 'api', date(b.createdAt), b.createdBy ?? '-']),
  );
}

export interface InfoReport {
  version: string;
  paths: FlotillaPaths & { daemonConfig: string };
  server: { url: string; source: string; reachable: boolean; version: string | null; error: string | null };
  daemon: InfoResponse | null;
  daemonError: string | null;
}

export function infoText(info: InfoReport): string {
  const pairs: [string, string][] = [
    ['version', info.version],
    ['config dir', info.paths.configDir],
    ['data dir', info.paths.dataDir],
    ['state dir', info.paths.stateDir],
    ['client config', info.paths.clientConfig],
    ['daemon config', info.paths.daemonConfig],
    ['tui log', info.paths.tuiLog],
    ['server', `${info.server.url} (from ${info.server.source})`],
    ['server answers', info.server.reachable ? `yes, version ${info.server.version ?? 'unknown'}` : `no: ${info.server.error ?? 'unknown error'}`],
  ];
  if (info.daemon) {
    const d = info.daemon;
    pairs.push(
      ['daemon url', d.publicUrl],
      ['daemon data dir', d.dataDir],
      ['registry', d.registry],
      ['store', d.store],
      ['control-plane key', d.controlPlane.keyid],
      ['clusters', String(d.clusters)],
      ['signed in as', `${d.identity.name} (${d.identity.role}, ${d.identity.provider} ${d.identity.subject})`],
    );
  } else if (info.daemonError) {
    pairs.push(['daemon info', info.daemonError]);
  }
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}`).join('\n') + '\n';
}

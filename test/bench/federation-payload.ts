// What federation carries per cluster (issue 9): a sim agent of a given size, its edge Prometheus
// from the generated config and rules (Debian's prometheus, exactly the generated flags but a 1 s
// scrape), then one federation scrape as the center makes it (`/federate` with match[] up and
// cluster:*): series and bytes, against the raw exposition the edge scrapes, which would cross
// without the rules.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent } from '../../agent/main.js';
import { edgeFiles } from '../../cli/metrics-files.js';
import { AgentConfigSchema } from '../../config/schemas.js';
import { generateSigningKey, publicKeyToBase64 } from '../../core/keys.js';
import { silentLogger } from '../../core/log.js';
import { edgePrometheusConfig } from '../../core/metrics/prometheus-config.js';
import { freePort } from '../harness/free-port.js';

export interface FederationPayloadResult {
  nodes: number;
  deployments: number;
  rawSeries: number;
  rawBytes: number;
  federatedSeries: number;
  federatedBytes: number;
}

const samples = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#')).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function one(nodes: number, deployments: number): Promise<FederationPayloadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-federation-'));
  const cp = generateSigningKey();
  const agentPort = await freePort();
  const agent = await startAgent(
    AgentConfigSchema.parse({
      apiVersion: 'flotilla/v1',
      kind: 'AgentBundle',
      cluster: 'bench-fed',
      store: { type: 'dir', path: join(dir, 'store') },
      controlPlane: { keyid: cp.keyid, publicKey: publicKeyToBase64(cp.publicKey) },
      bootstrapToken: 'bootstrap-token-0123456789abcdef',
      status: { intervalSeconds: 3600 },
      agent: { backend: 'sim', metricsPort: agentPort },
      sim: { nodes, deployments, faultRate: 0.1, seed: 3 },
    }),
    { dataDir: join(dir, 'agent'), logger: silentLogger() },
  );
  const edgePort = await freePort();
  const edge = edgePrometheusConfig({ cluster: 'bench-fed', backend: 'sim', agentTarget: `127.0.0.1:${agentPort}`, scrapeInterval: '1s', listenAddress: `127.0.0.1:${edgePort}` });
  const promDir = join(dir, 'edge');
  mkdirSync(promDir);
  for (const f of edgeFiles(edge, { version: 'bench', command: 'bench', cluster: 'bench-fed', backend: 'sim', mode: 'federate' })) writeFileSync(join(promDir, f.name), f.content);
  const prom = spawn('/usr/bin/prometheus', edge.flags, { cwd: promDir, stdio: 'ignore' });
  try {
    const url = `http://127.0.0.1:${edgePort}`;
    const federate = `${url}/federate?${new URLSearchParams([['match[]', 'up'], ['match[]', '{__name__=~"cluster:.*"}']]).toString()}`;
    let text = '';
    // Rates need two scrapes and a rule evaluation after them.
    for (let i = 0; i < 60; i++) {
      await sleep(1000);
      try {
        text = await (await fetch(federate)).text();
        if (text.includes('cluster:cpu_usage:ratio')) break;
      } catch {
        // not up yet
      }
    }
    await sleep(2000);
    text = await (await fetch(federate)).text();
    const raw = await (await fetch(`http://127.0.0.1:${agentPort}/metrics/cluster`)).text();
    return { nodes, deployments, rawSeries: samples(raw), rawBytes: Buffer.byteLength(raw), federatedSeries: samples(text), federatedBytes: Buffer.byteLength(text) };
  } finally {
    prom.kill('SIGTERM');
    await new Promise((r) => prom.once('exit', r));
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchFederationPayload(sizes: { nodes: number; deployments: number }[], log: (s: string) => void): Promise<FederationPayloadResult[]> {
  const out: FederationPayloadResult[] = [];
  for (const s of sizes) {
    log(`federation-payload: a ${s.nodes}-node, ${s.deployments}-deployment sim behind its edge Prometheus`);
    out.push(await one(s.nodes, s.deployments));
  }
  return out;
}

// Benchmark load generator, run as its own process so its CPU does not count against the daemon or
// delay the measuring WebSocket client. Registers every cluster from bundles.json, then writes each
// cluster's signed status report once per interval, spread evenly over the interval.
// Protocol on stdout: "registered N", then "rate R" lines (reports written per second).
import { readFileSync } from 'node:fs';
import type { AgentConfig } from '../../config/schemas.js';
import { openStore } from '../../core/store/open.js';
import { FakeAgent } from '../harness/fake-agent.js';

const [bundlesFile, intervalArg] = process.argv.slice(2);
if (!bundlesFile) throw new Error('usage: status-writer.ts BUNDLES.json [INTERVAL_SECONDS]');
const intervalMs = Number(intervalArg ?? '10') * 1000;
const bundles = JSON.parse(readFileSync(bundlesFile, 'utf8')) as AgentConfig[];
const store = openStore(bundles[0]!.store);
const agents = bundles.map((b) => new FakeAgent(b, store));

async function inBatches<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(fn));
}

await inBatches(agents, 32, (a) => a.register());
process.stdout.write(`registered ${agents.length}\n`);

// Slot i reports at offset (i / n) * interval within every interval.
const start = performance.now();
let written = 0;
let next = 0; // index of the next report due, counting across intervals
let lastRateAt = performance.now();
let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
});

while (!stopping) {
  const due = Math.floor(((performance.now() - start) / intervalMs) * agents.length);
  const batch: FakeAgent[] = [];
  while (next < due) batch.push(agents[next++ % agents.length]!);
  await inBatches(batch, 32, async (a) => {
    await a.report({ nodes: 3 + (a.seq % 5), intervalSeconds: intervalMs / 1000 });
    written += 1;
  });
  const now = performance.now();
  if (now - lastRateAt >= 5000) {
    process.stdout.write(`rate ${((written * 1000) / (now - lastRateAt)).toFixed(0)}\n`);
    written = 0;
    lastRateAt = now;
  }
  await new Promise((r) => setTimeout(r, 5));
}
process.exit(0);

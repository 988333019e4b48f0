// Real RabbitMQ nodes for a test file, started through the production launcher
// (daemon/brokers/rabbitmq-node.ts) on free ports, each in its own temp directory. `useRabbitNodes`
// starts them once in beforeAll (in parallel) and closes them and removes their directories in
// afterAll, so a file pays one boot per node (5–10 s each) however many tests it has.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { rabbitManagement, type RabbitManagement } from '../../core/brokers/rabbitmq-management.js';
import { startRabbitNode, type RabbitNode, type RabbitNodeOptions } from '../../daemon/brokers/rabbitmq-node.js';
import { tempDir } from './tmp.js';

/** Boots take longer than a test's usual hook budget on a loaded 2-core host. */
export const RABBIT_HOOK_TIMEOUT_MS = 180_000;

export interface RabbitNodes<N extends string> {
  nodes: Record<N, RabbitNode>;
  /** The management adapter for a node, as its administrator. */
  management(name: N): RabbitManagement;
  close(): Promise<void>;
}

/** Starts the named nodes side by side; each gets its own directory, epmd and ports. */
export async function startRabbitNodes<N extends string>(names: readonly N[], options: Partial<Omit<RabbitNodeOptions, 'name' | 'dataDir'>> = {}): Promise<RabbitNodes<N>> {
  const dirs: string[] = [];
  const started = await Promise.allSettled(
    names.map((name) => {
      const dataDir = tempDir(`flotilla-rabbit-${name}-`);
      dirs.push(dataDir);
      return startRabbitNode({ ...options, name, dataDir });
    }),
  );
  const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const close = async () => {
    await Promise.all(ok.map((n) => n.close()));
    if (!process.env.FLOTILLA_KEEP_TMP) for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await close();
    throw failed.reason;
  }
  const nodes = Object.fromEntries(names.map((name, i) => [name, ok[i] as RabbitNode])) as Record<N, RabbitNode>;
  return {
    nodes,
    management: (name) => rabbitManagement({ url: nodes[name].managementUrl, ...nodes[name].admin }),
    close,
  };
}

/**
 * Registers beforeAll/afterAll for the file (or describe block) it is called in and returns a handle
 * whose `nodes` are there once beforeAll has run.
 */
export function useRabbitNodes<N extends string>(names: readonly N[], options: Partial<Omit<RabbitNodeOptions, 'name' | 'dataDir'>> = {}): RabbitNodes<N> {
  let running: RabbitNodes<N> | undefined;
  const get = () => {
    if (!running) throw new Error('RabbitMQ nodes are not started: use them inside tests, after beforeAll');
    return running;
  };
  beforeAll(async () => {
    running = await startRabbitNodes(names, options);
  }, RABBIT_HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await running?.close();
  }, RABBIT_HOOK_TIMEOUT_MS);
  return {
    get nodes() {
      return get().nodes;
    },
    management: (name) => get().management(name),
    close: () => get().close(),
  };
}

// state.json in the agent data dir: which key registered, when, under which bundle, and the last
// status seq written, so a restart keeps the same registration and continues the sequence.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FlotillaError } from '../core/errors.js';
import { writeFileAtomic } from '../core/atomic-file.js';

export const AGENT_STATE_FILE = 'state.json';
export const RETIRED_BUNDLES_KEPT = 32;

export const AgentStateSchema = z.object({
  version: z.literal(1),
  cluster: z.string().min(1),
  keyid: z.string().min(1),
  registeredAt: z.string().min(1),
  lastSeq: z.number().int().nonnegative(),
  /** bundleFingerprint() of the bundle this key registered with; absent in state written before it was recorded. */
  bundle: z.string().min(1).optional(),
  /** Fingerprints of the bundles of earlier registrations in this data dir, newest first. */
  retiredBundles: z.array(z.string().min(1)).max(RETIRED_BUNDLES_KEPT).optional(),
});
export type AgentState = z.infer<typeof AgentStateSchema>;

export function agentStatePath(dataDir: string): string {
  return join(dataDir, AGENT_STATE_FILE);
}

/** The saved state, or null on a first start. */
export function readAgentState(dataDir: string): AgentState | null {
  const path = agentStatePath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new FlotillaError('config', `cannot read agent state ${path}: ${(e as Error).message}`, 'Make the agent data dir readable by this user.', { cause: e });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const parsed = AgentStateSchema.safeParse(raw);
  if (!parsed.success) {
    throw new FlotillaError('config', `agent state ${path} is corrupt`, `Delete ${path} and restart: the agent keeps its key and continues its sequence from its last report in the store.`);
  }
  return parsed.data;
}

/** Saves in order: a later save never lands before an earlier one. */
export class AgentStateFile {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataDir: string,
    private state: AgentState,
  ) {}

  get current(): AgentState {
    return this.state;
  }

  save(patch: Partial<Omit<AgentState, 'version'>>): Promise<void> {
    this.state = { ...this.state, ...patch };
    const text = `${JSON.stringify(this.state, null, 2)}\n`;
    const path = agentStatePath(this.dataDir);
    const write = this.chain.then(() => writeFileAtomic(path, text));
    this.chain = write.catch(() => undefined);
    return write;
  }
}

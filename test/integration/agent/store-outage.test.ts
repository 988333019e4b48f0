// The store goes away and comes back: the agent keeps running, counts and logs the failures, and
// registers and reports as soon as it can write again.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAgent } from '../../../agent/main.js';
import { AgentConfigSchema } from '../../../config/schemas.js';
import { openEnvelope, PAYLOAD_TYPES } from '../../../core/dsse.js';
import { readPrivateKeyFile } from '../../../core/key-files.js';
import { generateSigningKey, publicKeyToBase64 } from '../../../core/keys.js';
import { createLogger } from '../../../core/log.js';
import { StatusReportSchema } from '../../../core/status.js';
import { DirStore } from '../../../core/store/dir.js';
import { storeKeys } from '../../../core/store/types.js';
import { waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

// A real control-plane key: the agent refuses a bundle whose key it cannot use.
const cpKey = generateSigningKey();
const CONTROL_PLANE = { keyid: cpKey.keyid, publicKey: publicKeyToBase64(cpKey.publicKey) };

afterAll(() => cleanupTempDirs());

interface LogLine {
  msg?: string;
  op?: string;
}

function logLines(file: string): LogLine[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as LogLine);
  } catch {
    return [];
  }
}

describe('agent with an unreachable store', () => {
  it('keeps running while the store is unwritable and recovers when it returns', async () => {
    const root = tempDir();
    // A regular file where the store's parent directory should be: every write fails (ENOTDIR),
    // even for root, until the file is removed.
    const blocker = join(root, 'mnt');
    writeFileSync(blocker, 'not a directory');
    const storePath = join(blocker, 'store');
    const dataDir = tempDir();
    const logFile = join(tempDir(), 'agent.log');
    const config = AgentConfigSchema.parse({
      apiVersion: 'flotilla/v1',
      kind: 'AgentBundle',
      cluster: 'edge-7',
      store: { type: 'dir', path: storePath },
      controlPlane: CONTROL_PLANE,
      bootstrapToken: 'bootstrap-token-0123456789abcdef',
      status: { intervalSeconds: 0.2 },
      sim: { nodes: 2, deployments: 4, seed: 1 },
    });
    const agent = await startAgent(config, { dataDir, logger: createLogger({ name: 'agent-test', file: logFile, level: 'debug' }) });
    try {
      await waitUntil(() => logLines(logFile).filter((l) => l.msg === 'store unavailable; retrying').length >= 3, { what: 'three logged store failures' });
      const failure = logLines(logFile).find((l) => l.msg === 'store unavailable; retrying');
      expect(failure?.op).toBe('registration');

      rmSync(blocker);
      const store = new DirStore(storePath);
      const key = readPrivateKeyFile(join(dataDir, 'agent.key'));
      const report = await waitUntil(async () => {
        const obj = await store.get(storeKeys.status('edge-7'), 4 << 20);
        if (!obj) return null;
        const opened = openEnvelope(obj.body, { payloadType: PAYLOAD_TYPES.status, maxBytes: 4 << 20, keyFor: (id) => (id === key.keyid ? key.publicKey : undefined) });
        return StatusReportSchema.parse(opened.payload);
      }, { what: 'a status report after the store returned' });
      expect(report.seq).toBe(1);
      expect(await store.head(storeKeys.registration('edge-7'))).not.toBeNull();
      await waitUntil(() => logLines(logFile).some((l) => l.msg === 'status reports flowing again'), { what: 'recovery log line' });
    } finally {
      await agent.stop();
    }
  });
});

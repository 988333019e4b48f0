/* eslint-disable @typescript-eslint/no-explicit-any -- JSON reports are checked by assertions, not by types */
// Air-gap transfer between two directory stores through `flotilla store export|import`, in-process:
// jobs go core → edge verified against the control-plane key, results go edge → core; anything
// refused is listed on stderr with its reason, the rest is copied, and a refusal exits 64.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadDaemonConfig } from '../../../config/daemon.js';
import { PAYLOAD_TYPES, sealEnvelope } from '../../../core/dsse.js';
import { readPrivateKeyFile } from '../../../core/key-files.js';
import { generateSigningKey, publicKeyToBase64, type SigningKey } from '../../../core/keys.js';
import { registrationProof, tokenHash } from '../../../core/registration.js';
import { DirStore } from '../../../core/store/dir.js';
import { storeKeys } from '../../../core/store/types.js';
import { initControlPlane } from '../../../daemon/init.js';
import type { Io } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

afterAll(cleanupTempDirs);

const CLUSTER = 'edge-1';

interface Run {
  code: number;
  out: string;
  err: string;
}

async function cli(args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), env: { HOME: tempDir(), XDG_DATA_HOME: tempDir() }, cwd: tempDir() };
  const code = await runCli(args, io);
  return { code, out, err };
}

function job(seq: number, key: SigningKey, cluster = CLUSTER): Buffer {
  const now = new Date();
  return sealEnvelope(
    PAYLOAD_TYPES.job,
    { cluster, agentKeyId: 'ed25519:00000000000000000000000000000000', seq, id: randomUUID(), type: 'scale', params: { namespace: 'web', name: 'api', replicas: seq }, issuedAt: now.toISOString(), notAfter: new Date(now.getTime() + 3_600_000).toISOString(), destructive: false, issuer: { tokenId: 't1', name: 'admin' } },
    key,
  );
}

function result(seq: number, key: SigningKey): Buffer {
  const at = new Date().toISOString();
  return sealEnvelope(PAYLOAD_TYPES.result, { cluster: CLUSTER, seq, id: randomUUID(), state: 'succeeded', startedAt: at, finishedAt: at, detail: `scaled to ${seq}` }, key);
}

function registration(agent: SigningKey, token: string): Buffer {
  const publicKey = publicKeyToBase64(agent.publicKey);
  const encryptionKey = 'x25519-public-key-base64';
  return sealEnvelope(
    PAYLOAD_TYPES.registration,
    { cluster: CLUSTER, keyid: agent.keyid, publicKey, encryptionKey, proof: registrationProof(tokenHash(token), CLUSTER, agent.keyid, publicKey, encryptionKey), agentVersion: 'test', registeredAt: new Date().toISOString() },
    agent,
  );
}

function manifestOf(dir: string): any {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
}

function objectFile(dir: string, key: string): string {
  return join(dir, 'objects', ...key.split('/'));
}

/** Replaces an object on the media and, to look consistent, its manifest entry too. */
function forge(dir: string, key: string, body: Buffer, fixManifest: boolean): void {
  writeFileSync(objectFile(dir, key), body);
  if (!fixManifest) return;
  const m = manifestOf(dir);
  const entry = m.entries.find((e: any) => e.key === key);
  entry.size = body.length;
  entry.sha256 = createHash('sha256').update(body).digest('hex');
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
}

let daemonYaml: string;
let cpKey: SigningKey;
let coreStore: DirStore;
let edgeStore: DirStore;
let bundleFile: string;
const token = 'fbt_0123456789abcdef0123';

beforeEach(async () => {
  const data = tempDir('flotilla-airgap-core-');
  const init = await initControlPlane({ dataDir: data, port: 0 });
  daemonYaml = init.configPath;
  const config = loadDaemonConfig(daemonYaml, {}, {});
  cpKey = readPrivateKeyFile(config.keys.signingKey);
  coreStore = new DirStore(config.store.type === 'dir' ? config.store.path : '');
  edgeStore = new DirStore(tempDir('flotilla-airgap-edge-'));
  bundleFile = join(tempDir(), 'edge-1.yaml');
  writeFileSync(
    bundleFile,
    stringify({ apiVersion: 'flotilla/v1', kind: 'AgentBundle', cluster: CLUSTER, store: { type: 'dir', path: edgeStore.root }, controlPlane: { keyid: cpKey.keyid, publicKey: publicKeyToBase64(cpKey.publicKey) }, bootstrapToken: token }),
  );
});

describe('flotilla store export/import', () => {
  it('carries jobs to the edge, verified on the way out and in; tampered ones are refused', async () => {
    const rogue = generateSigningKey();
    for (const seq of [1, 2, 3, 4]) await coreStore.put(storeKeys.job(CLUSTER, seq), job(seq, cpKey));
    await coreStore.put(storeKeys.job(CLUSTER, 5), job(5, rogue)); // written into the store by someone else
    await coreStore.put(storeKeys.job('other', 1), job(1, cpKey, 'other'));
    await coreStore.put(storeKeys.config(CLUSTER, 'logging'), sealEnvelope(PAYLOAD_TYPES.config, { cluster: CLUSTER, name: 'logging' }, cpKey));
    await coreStore.put(storeKeys.backupObject(CLUSTER, 'b1', 'deploy-web.yaml'), Buffer.from('kind: Deployment\n'));
    await coreStore.put(storeKeys.status(CLUSTER), Buffer.from('agent-written, not part of the jobs direction'));

    const media = join(tempDir(), 'usb');
    const out = await cli(['store', 'export', media, '--cluster', CLUSTER, '--config', daemonYaml, '--json']);
    expect(out.code).toBe(64);
    expect(out.err).toContain(`refused ${storeKeys.job(CLUSTER, 5)}: unknown_key:`);
    const exported = JSON.parse(out.out);
    expect(exported.copied.sort()).toEqual([1, 2, 3, 4].map((s) => storeKeys.job(CLUSTER, s)).concat(storeKeys.backupObject(CLUSTER, 'b1', 'deploy-web.yaml'), storeKeys.config(CLUSTER, 'logging')).sort());
    expect(manifestOf(media).entries).toHaveLength(6);

    // On the media: job 2 damaged, job 3 re-signed by another key with a matching manifest, and a traversal entry.
    forge(media, storeKeys.job(CLUSTER, 2), Buffer.from('{"payloadType":"x"'), false);
    forge(media, storeKeys.job(CLUSTER, 3), job(3, rogue), true);
    const m = manifestOf(media);
    m.entries.push({ key: 'clusters/edge-1/../../../etc/passwd', sha256: '0'.repeat(64), size: 1 });
    writeFileSync(join(media, 'manifest.json'), JSON.stringify(m));

    const imported = await cli(['store', 'import', media, '--store-path', edgeStore.root, '--trust', bundleFile]);
    expect(imported.code).toBe(64);
    expect(imported.err).toContain(`refused ${storeKeys.job(CLUSTER, 2)}: sha256_mismatch:`);
    expect(imported.err).toContain(`refused ${storeKeys.job(CLUSTER, 3)}: unknown_key:`);
    expect(imported.err).toContain('refused clusters/edge-1/../../../etc/passwd: invalid_key:');
    expect(imported.err).toMatch(/next: /);
    expect(imported.out).toContain('imported 4, unchanged 0, refused 3 (jobs of cluster edge-1)');
    const edgeKeys = (await edgeStore.list('')).map((e) => e.key).sort();
    expect(edgeKeys).toEqual([storeKeys.backupObject(CLUSTER, 'b1', 'deploy-web.yaml'), storeKeys.config(CLUSTER, 'logging'), storeKeys.job(CLUSTER, 1), storeKeys.job(CLUSTER, 4)].sort());
    expect((await edgeStore.get(storeKeys.job(CLUSTER, 1), 1 << 20))?.body.equals((await coreStore.get(storeKeys.job(CLUSTER, 1), 1 << 20))!.body)).toBe(true);

    // Importing again changes nothing that is already there (no etag churn for the agent's poller).
    const before = await edgeStore.head(storeKeys.job(CLUSTER, 1));
    const again = await cli(['store', 'import', media, '--config', bundleFile, '--json']);
    expect(JSON.parse(again.out).unchanged).toHaveLength(4);
    expect(await edgeStore.head(storeKeys.job(CLUSTER, 1))).toEqual(before);
  });

  it('carries results, status and registration back to the core; a damaged result is refused', async () => {
    const agent = generateSigningKey();
    await edgeStore.put(storeKeys.registration(CLUSTER), registration(agent, token));
    await edgeStore.put(storeKeys.status(CLUSTER), sealEnvelope(PAYLOAD_TYPES.status, { cluster: CLUSTER }, agent));
    for (const seq of [1, 2]) await edgeStore.put(storeKeys.result(CLUSTER, seq), result(seq, agent));
    await edgeStore.put(storeKeys.result(CLUSTER, 3), result(3, generateSigningKey())); // not the registered agent
    await edgeStore.put(storeKeys.job(CLUSTER, 1), job(1, cpKey)); // jobs do not go back

    const media = join(tempDir(), 'usb');
    const out = await cli(['store', 'export', media, '--cluster', CLUSTER, '--results', '--config', bundleFile]);
    expect(out.code).toBe(64);
    expect(out.err).toContain(`refused ${storeKeys.result(CLUSTER, 3)}: unknown_key:`);
    expect(out.out).toContain('exported 4, unchanged 0, refused 1 (results of cluster edge-1)');

    forge(media, storeKeys.result(CLUSTER, 2), result(2, generateSigningKey()), false);
    const imported = await cli(['store', 'import', media, '--config', daemonYaml]);
    expect(imported.code).toBe(64);
    expect(imported.err).toContain(`refused ${storeKeys.result(CLUSTER, 2)}: sha256_mismatch:`);
    const coreKeys = (await coreStore.list(storeKeys.clusterPrefix(CLUSTER))).map((e) => e.key).sort();
    expect(coreKeys).toEqual([storeKeys.registration(CLUSTER), storeKeys.result(CLUSTER, 1), storeKeys.status(CLUSTER)].sort());

    // A clean transfer exits 0.
    const clean = join(tempDir(), 'usb2');
    await edgeStore.delete(storeKeys.result(CLUSTER, 3));
    expect((await cli(['store', 'export', clean, '--cluster', CLUSTER, '--results', '--store-path', edgeStore.root])).code).toBe(0);
    const second = await cli(['store', 'import', clean, '--config', daemonYaml]);
    expect(second).toMatchObject({ code: 0, out: 'imported 1, unchanged 3, refused 0 (results of cluster edge-1)\n' });
    expect(await coreStore.head(storeKeys.result(CLUSTER, 2))).not.toBeNull();
  });

  it('refuses a directory without a manifest, a non-empty export target, and jobs without a trusted key', async () => {
    const empty = tempDir();
    const noManifest = await cli(['store', 'import', empty, '--store-path', edgeStore.root, '--trust', bundleFile]);
    expect(noManifest.code).toBe(64);
    expect(noManifest.err).toMatch(/manifest\.json is missing\nnext: /);

    writeFileSync(join(empty, 'stray'), 'x');
    const busy = await cli(['store', 'export', empty, '--cluster', CLUSTER, '--config', daemonYaml]);
    expect(busy.code).toBe(64);
    expect(busy.err).toContain('is not empty');

    const media = join(tempDir(), 'usb');
    await coreStore.put(storeKeys.job(CLUSTER, 1), job(1, cpKey));
    expect((await cli(['store', 'export', media, '--cluster', CLUSTER, '--config', daemonYaml])).code).toBe(0);
    const untrusted = await cli(['store', 'import', media, '--store-path', edgeStore.root]);
    expect(untrusted.code).toBe(64);
    expect(untrusted.err).toMatch(/needs the control-plane public key\nnext: Pass --trust/);
  });
});

import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertBundleWritable, bundleYaml, writeBundle } from '../../../cli/bundle-file.js';
import { parseConfigText } from '../../../config/load.js';
import { AgentConfigSchema, type AgentConfig } from '../../../config/schemas.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

afterAll(cleanupTempDirs);

const bundle: AgentConfig = AgentConfigSchema.parse({
  apiVersion: 'flotilla/v1',
  kind: 'AgentBundle',
  cluster: 'edge-01',
  store: { type: 'dir', path: '/srv/store' },
  controlPlane: { keyid: 'ed25519:abc', publicKey: 'AAAA' },
  bootstrapToken: 'one-time-0123456789',
});

describe('bundle file', () => {
  it('writes YAML that loads back as the same bundle, with an explanatory header', () => {
    const text = bundleYaml(bundle, new Date('2025-01-01T00:00:00Z'), '2025-01-02T00:00:00.000Z');
    expect(text.split('\n')[0]).toMatch(/^# Flotilla agent bootstrap bundle for cluster "edge-01"/);
    expect(text).toMatch(/# .*ONE-TIME registration token/);
    expect(text).toContain('# The cluster expires at 2025-01-02T00:00:00.000Z.');
    expect(parseConfigText('bundle.yaml', text, { schema: AgentConfigSchema })).toEqual(bundle);
  });

  it('writes with mode 0600 and never over an existing file', () => {
    const path = join(tempDir(), 'b.yaml');
    assertBundleWritable(path);
    writeBundle(path, 'x: 1\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(() => assertBundleWritable(path)).toThrow(/already exists/);
    expect(() => writeBundle(path, 'y: 2\n')).toThrow(/could not be written/);
    expect(readFileSync(path, 'utf8')).toBe('x: 1\n');
  });

  it('refuses a path in a directory that does not exist', () => {
    expect(() => assertBundleWritable(join(tempDir(), 'nope', 'b.yaml'))).toThrow(/does not exist/);
    const file = join(tempDir(), 'f');
    writeFileSync(file, '');
    expect(() => assertBundleWritable(join(file, 'b.yaml'))).toThrow(/does not exist/);
  });
});

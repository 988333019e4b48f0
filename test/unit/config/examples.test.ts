import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../../config/agent.js';
import { loadDaemonConfig } from '../../../config/daemon.js';
import { jsonSchemaFiles } from '../../../config/json-schema/generate.js';
import { loadConfigFile } from '../../../config/load.js';
import { ClientConfigSchema } from '../../../config/schemas.js';

const example = (name: string): string => fileURLToPath(new URL(`../../../config/examples/${name}`, import.meta.url));

interface JsonSchemaNode {
  properties?: Record<string, JsonSchemaNode>;
}

/** Every key path in a JSON Schema, objects and leaves alike. */
function keyPaths(node: JsonSchemaNode, prefix: string[] = []): string[][] {
  return Object.entries(node.properties ?? {}).flatMap(([k, child]) => [[...prefix, k], ...keyPaths(child, [...prefix, k])]);
}

function hasPath(doc: unknown, path: string[]): boolean {
  let node = doc;
  for (const seg of path) {
    if (typeof node !== 'object' || node === null || !(seg in node)) return false;
    node = (node as Record<string, unknown>)[seg];
  }
  return true;
}

const CASES = [
  { file: 'daemon.yaml', schema: 'daemon.schema.json' },
  { file: 'agent-bundle.yaml', schema: 'agent-bundle.schema.json' },
  { file: 'client.yaml', schema: 'client.schema.json' },
] as const;

describe('config examples', () => {
  it('daemon.yaml is valid and its relative paths resolve from the examples directory', () => {
    const cfg = loadDaemonConfig(example('daemon.yaml'), {}, {});
    expect(cfg.listen).toEqual({ host: '127.0.0.1', port: 7420 });
    expect(cfg.keys.signingKey).toBe(example('keys/controlplane.key'));
    expect(cfg.store).toMatchObject({ type: 'dir', path: example('store') });
    expect(cfg.tls?.cert).toBe(example('tls/daemon.crt'));
  });

  it('agent-bundle.yaml is valid', () => {
    const cfg = loadAgentConfig(example('agent-bundle.yaml'), {}, {});
    expect(cfg.cluster).toBe('prod-payments-01');
    expect(cfg.sim.nodes).toBe(5);
    expect(cfg.log.file).toBe(example('agent.log'));
  });

  it('client.yaml is valid', () => {
    const cfg = loadConfigFile({ file: example('client.yaml'), schema: ClientConfigSchema, pathKeys: ['tokenFile', 'caFile'] });
    expect(cfg.tokenFile).toBe(example('token'));
  });

  it.each(CASES)('$file documents every key of the schema', ({ file, schema }) => {
    const text = readFileSync(example(file), 'utf8');
    const doc: unknown = parse(text);
    const json = JSON.parse(jsonSchemaFiles()[schema]) as JsonSchemaNode;
    const missing = keyPaths(json).filter((path) => {
      if (hasPath(doc, path)) return false;
      // an optional key may be shown commented out, e.g. "# token: flt_..."
      const leaf = path[path.length - 1] as string;
      return !new RegExp(`^\\s*#\\s*${leaf}:`, 'm').test(text);
    });
    expect(missing.map((p) => p.join('.'))).toEqual([]);
  });

  it.each(CASES)('$file explains its keys in comments', ({ file }) => {
    const lines = readFileSync(example(file), 'utf8').split('\n');
    const comments = lines.filter((l) => l.trim().startsWith('#')).length;
    const keys = lines.filter((l) => /^\s*[A-Za-z]+:/.test(l)).length;
    expect(comments).toBeGreaterThanOrEqual(keys / 2);
  });
});

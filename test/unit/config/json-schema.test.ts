import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonSchemaFiles } from '../../../config/json-schema/generate.js';

describe('committed JSON Schema', () => {
  const files = jsonSchemaFiles();

  it.each(Object.keys(files))('%s matches the zod schemas (run `npm run schema` if this fails)', (name) => {
    const committed = readFileSync(new URL(`../../../config/json-schema/${name}`, import.meta.url), 'utf8');
    expect(committed).toBe(files[name as keyof typeof files]);
  });

  it('describes the daemon config keys with their zod descriptions and defaults', () => {
    const daemon = JSON.parse(files['daemon.schema.json']);
    expect(daemon.required).toEqual(expect.arrayContaining(['dataDir', 'store', 'keys']));
    expect(daemon.additionalProperties).toBe(false);
    expect(daemon.properties.listen.properties.port.default).toBe(7420);
    expect(daemon.properties.dataDir.description).toMatch(/registry/);
  });

  it('pins the bundle kind and apiVersion', () => {
    const bundle = JSON.parse(files['agent-bundle.schema.json']);
    expect(bundle.properties.kind.const).toBe('AgentBundle');
    expect(bundle.properties.apiVersion.const).toBe('flotilla/v1');
  });
});

// JSON Schema for editors and validators, generated from the zod schemas so the two never disagree.
// `npm run schema` writes these files; test/unit/config/json-schema.test.ts fails when they are stale.
import { z } from 'zod';
import { AgentConfigSchema, ClientConfigSchema, DaemonConfigSchema } from '../schemas.js';

const SCHEMAS = {
  daemon: { schema: DaemonConfigSchema, title: 'Flotilla daemon config (daemon.yaml)' },
  'agent-bundle': { schema: AgentConfigSchema, title: 'Flotilla agent bootstrap bundle' },
  client: { schema: ClientConfigSchema, title: 'Flotilla client config ($XDG_CONFIG_HOME/flotilla/config.yaml)' },
} as const;

export type SchemaName = keyof typeof SCHEMAS;

/** File name → file text, in the form committed under config/json-schema/. */
export function jsonSchemaFiles(): Record<`${SchemaName}.schema.json`, string> {
  const out = {} as Record<`${SchemaName}.schema.json`, string>;
  for (const [name, { schema, title }] of Object.entries(SCHEMAS) as [SchemaName, (typeof SCHEMAS)[SchemaName]][]) {
    // "input": what a person writes in the file, where keys with defaults are optional
    const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' });
    const { $schema, ...rest } = json;
    out[`${name}.schema.json`] = `${JSON.stringify({ $schema, title, ...rest }, null, 2)}\n`;
  }
  return out;
}

// Writes config/json-schema/*.schema.json from the zod schemas (compiled to dist/ by `npm run build`).
import { writeFileSync } from 'node:fs';

const { jsonSchemaFiles } = await import(new URL('../dist/config/json-schema/generate.js', import.meta.url).href);
for (const [name, text] of Object.entries(jsonSchemaFiles())) {
  const target = new URL(`../config/json-schema/${name}`, import.meta.url);
  writeFileSync(target, text);
  process.stdout.write(`wrote config/json-schema/${name}\n`);
}

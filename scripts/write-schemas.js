#!/usr/bin/env node
// Writes schema/*.schema.json from the zod schemas (npm run schema, after npm run build).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonSchemas } from '../dist/config/schema.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'schema');
fs.mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries(jsonSchemas())) {
  fs.writeFileSync(path.join(dir, name), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote schema/${name}`);
}

// The published JSON Schemas are the zod schemas' own, and the example policies validate.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../src/config/load.js';
import { jsonSchemas } from '../../src/config/schema.js';
import { decideRoles } from '../../src/sites/roles.js';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('schemas and examples', () => {
  it.each(Object.entries(jsonSchemas()))('schema/%s is current (else: npm run schema)', (name, schema) => {
    const committed = JSON.parse(fs.readFileSync(path.join(root, 'schema', name), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(schema)));
  });

  const policies = fs.readdirSync(path.join(root, 'policies')).filter((f) => f.endsWith('.yaml') && !f.startsWith('clusters'));
  it.each(policies)('policies/%s validates against the example clusters file', (file) => {
    const rp = resolvePolicy(path.join(root, 'policies', file), path.join(root, 'policies', 'clusters.example.yaml'));
    expect(rp.policy.datasets.length).toBeGreaterThan(0);
    const roles = decideRoles(rp);
    expect([roles.primary.name, roles.secondary.name]).toEqual(['east', 'west']);
  });
});

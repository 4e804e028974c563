// The documented exit codes are the ones the code has: the README table equals EXIT_CODES.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { EXIT_CODES } from '../../src/errors.js';
import { capture } from './helpers.js';

const readme = fs.readFileSync(path.resolve(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

describe('exit codes', () => {
  it('are documented in the README exactly as the code defines them', () => {
    const table = readme.split('\n').filter((l) => /^\| \d+ \| /.test(l));
    expect(table).toEqual(EXIT_CODES.map((e) => `| ${e.code} | ${e.meaning} |`));
  });

  it('are listed in --help from the same table', async () => {
    const out = capture();
    expect(await main(['node', 'hbackup', 'backup', '--help'], { stdout: out.stream, stderr: capture().stream })).toBe(0);
    for (const e of EXIT_CODES) expect(out.text).toContain(`  ${String(e.code).padEnd(3)} ${e.meaning}`);
  });
});

// The command line itself: examples in every command's help, shell completion that bash really
// completes with, and a log file with the console's lines, plain.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { world } from '../fakes/world.js';
import { capture, tmp } from './helpers.js';

const run = async (...args: string[]) => {
  const [out, err] = [capture(), capture()];
  const code = await main(['node', 'hbackup', ...args], { stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text, stderr: err.text };
};

describe('the command line', () => {
  it.each([['validate'], ['backup'], ['restore'], ['list'], ['run-due'], ['policy', 'new'], ['completion']])(
    '%s --help shows examples',
    async (...cmd) => {
      const r = await run(...cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/\nExamples:\n {2}\S/);
    },
  );

  it('prints a bash completion script that bash completes commands and options with', async () => {
    const { stdout: script } = await run('completion', 'bash');
    const file = path.join(tmp('completion'), 'hbackup.bash');
    fs.writeFileSync(file, script);
    const complete = (...words: string[]) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source "$0"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _hbackup; echo "\${COMPREPLY[*]}"`,
          file,
        ],
        {
          encoding: 'utf8',
        },
      ).trim();
    expect(complete('hbackup', 'ba')).toBe('backup');
    expect(complete('hbackup', '--json', 'run')).toBe('run-due');
    expect(complete('hbackup', 'backup', '--dr')).toBe('--dry-run');
    expect(complete('hbackup', 'restore', '--su')).toBe('--suffix');
    expect(complete('hbackup', 'policy', 'n')).toBe('new');
    expect((await run('completion', 'zsh')).stdout).toMatch(/^autoload -U \+X bashcompinit && bashcompinit\n/);
    expect((await run('completion', 'fish')).code).toBe(2);
  });

  it('appends the console lines to --log-file, plain and timestamped', async () => {
    const w = world();
    w.source('/d', { 'f.txt': 'f' });
    const policy = w.policy({ service: 'logged', datasets: [{ hdfs: '/d' }] });
    const log = path.join(w.dir, 'hbackup.log');
    expect((await w.cli('--log-file', log, 'backup', policy)).code).toBe(0);
    expect((await w.cli('--log-file', log, 'backup', path.join(w.dir, 'missing.yaml'))).code).toBe(2);
    const lines = fs.readFileSync(log, 'utf8').trimEnd().split('\n');
    expect(lines.every((l) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /.test(l))).toBe(true);
    expect(lines.some((l) => l.endsWith('ok logged: preflight ok; no restore point yet'))).toBe(true);
    expect(lines.some((l) => l.includes('logged: ok — restore point hb-logged-20261125T020000Z'))).toBe(true);
    expect(lines.at(-1)).toMatch(/error: .*missing\.yaml: no such file$/);
    expect(fs.readFileSync(log, 'utf8')).not.toContain('\u001b[');
  });
});

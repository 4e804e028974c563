// The Docker example (examples/docker) as far as it can be checked without a Docker engine: its
// policy and clusters file validate, and the clusters file reaches exactly the ports and names the
// compose file publishes (WebHDFS, DataNodes, containers for the tools).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli.js';
import { capture } from './helpers.js';

const dir = path.resolve(import.meta.dirname, '..', '..', 'examples', 'docker');
const read = (f: string) => parse(fs.readFileSync(path.join(dir, f), 'utf8'));

describe('examples/docker', () => {
  it('has a policy and clusters file that validate', async () => {
    const out = capture();
    expect(
      await main(['node', 'hbackup', 'validate', path.join(dir, 'smoke.yaml')], { stdout: out.stream, stderr: capture().stream }),
    ).toBe(0);
    expect(out.text).toContain('ok (service smoke, 1 data set(s), east → west');
  });

  it('reaches the ports and names compose.yaml publishes', () => {
    const compose = read('compose.yaml').services as Record<
      string,
      { container_name: string; ports: string[]; environment?: Record<string, string>; env_file: string[] }
    >;
    const clusters = read('clusters.yaml').clusters as Record<
      string,
      { webhdfs: string; fs: string; tools: { prefix: string[] }; dataNodes: Record<string, string> }
    >;
    for (const [site, c] of Object.entries(clusters)) {
      const nn = compose[`nn-${site}`]!;
      const dn = compose[`dn-${site}`]!;
      expect(c.webhdfs).toBe(`http://localhost:${nn.ports[0]!.split(':')[0]}`);
      expect(c.tools.prefix).toEqual(['docker', 'exec', '-i', nn.container_name]);
      expect(c.dataNodes).toEqual({
        [`${dn.environment!['HDFS-SITE.XML_dfs.datanode.hostname']}:9864`]: `localhost:${dn.ports[0]!.split(':')[0]}`,
      });
      const env = fs.readFileSync(path.join(dir, nn.env_file[0]!), 'utf8');
      expect(env).toContain(`CORE-SITE.XML_fs.defaultFS=${c.fs}`);
    }
  });
});

// Proof that the sandbox is real: bytes travel through real WebHDFS and DistCp, an HBase table
// travels through real snapshots, ExportSnapshot and clone_snapshot, and a killed site refuses
// connections until it is started again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error the sandbox launcher is plain JavaScript
import { startSite, stopSite } from '../cluster/sandbox.js';
import { east, ensureSandboxUp, hbaseShell, runId, tool, webhdfs, west } from './helpers.js';

const id = runId();

describe('the sandbox', () => {
  beforeAll(ensureSandboxUp);
  afterAll(ensureSandboxUp);

  it("copies a file written through WebHDFS on east to west with east's own distcp", async () => {
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
    const dir = `/it/sandbox-${id}`;
    await webhdfs(east).createFile(`${dir}/blob.bin`, bytes, true);
    await tool(east, 'hadoop', ['distcp', `${east.fsUri}${dir}`, `${west.fsUri}${dir}`]);
    const back = await webhdfs(west).readFile(`${dir}/blob.bin`);
    expect(back?.equals(bytes)).toBe(true);
  });

  it('moves an HBase table from east to west: snapshot, ExportSnapshot, clone_snapshot', async () => {
    const table = `t_${id}`;
    const snap = `s_${id}`;
    const puts = Array.from({ length: 25 }, (_, i) => `put '${table}', 'row${i}', 'f:c', 'value ${i}'`).join('\n');
    await hbaseShell(east, `create '${table}', 'f'\n${puts}\n`);
    await tool(east, 'hbase', ['snapshot', 'create', '-n', snap, '-t', table]);
    await tool(east, 'hbase', ['snapshot', 'export', '-snapshot', snap, '-copy-to', `${west.fsUri}/hbase`, '-mappers', '1']);
    const r = await hbaseShell(west, `clone_snapshot '${snap}', '${table}'\ncount '${table}'\n`);
    expect(r.stdout).toMatch(/^25 row\(s\)/m);
  });

  it('kills east like a crash: its WebHDFS refuses connections; started again it serves the same data', async () => {
    const dir = `/it/crash-${id}`;
    await webhdfs(east).createFile(`${dir}/kept.txt`, 'still here', true);
    await stopSite('east', { crash: true });
    const refused = await fetch(`http://127.0.0.1:${east.ports.nnHttp}/webhdfs/v1/?op=GETFILESTATUS`).catch(
      (e: Error & { cause?: { code?: string } }) => e.cause?.code,
    );
    expect(refused).toBe('ECONNREFUSED');
    await startSite('east');
    const back = await webhdfs(east).readFile(`${dir}/kept.txt`);
    expect(back?.toString()).toBe('still here');
  });
});

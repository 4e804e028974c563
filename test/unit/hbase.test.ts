// What hbackup reads from the HBase tools, on output recorded from HBase 2.6.1 in the sandbox, and
// the names it gives HBase snapshots, the moment's shell session ended cleanly. (Their behaviour against real HBase: integration/hbase.test.ts.)
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { armHbase } from '../../src/datasets/hbase/copy.js';
import type { FlowContext } from '../../src/datasets/kind.js';
import type { Session } from '../../src/exec/session.js';
import { exportArgs, exportFailureHint, exportProblem, parseExportCounters } from '../../src/hbase/export.js';
import { compareSnapshotFiles, parseSnapshotInfo } from '../../src/hbase/info.js';
import { fireLine, parseOutcome, SESSION_END, shellError } from '../../src/hbase/shell.js';
import { rootPath, stampOfTableSnapshot, tableSnapshotName } from '../../src/hbase/tables.js';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('ExportSnapshot', () => {
  it('reads its counters and knows when it completed', () => {
    const log = fixture('exportsnapshot-2.6.1.txt');
    expect(parseExportCounters(log)).toEqual({
      filesCopied: 2,
      filesSkipped: 0,
      bytesCopied: 9892,
      bytesSkipped: 0,
      missingFiles: 0,
      copyFailed: 0,
    });
    expect(exportProblem(log, 'snapA1795636983933')).toBeUndefined();
    expect(exportProblem(log, 'other')).toMatch(/did not say "Export Completed: other"/);
    expect(exportProblem(log.replace('MISSING_FILES=0', 'MISSING_FILES=3'), 'snapA1795636983933')).toBe(
      '3 file(s) of the snapshot were missing on the primary',
    );
    expect(exportProblem('ERROR util.AbstractHBaseTool: Missing required option: snapshot\n', 's')).toMatch(
      /Missing required option: snapshot/,
    );
  });

  it('pushes to the secondary or pulls from the primary, with mappers, bandwidth and the owner there', () => {
    expect(exportArgs({ snapshot: 's', copyTo: 'hdfs://west/hbase', mappers: 4 })).toEqual([
      'snapshot',
      'export',
      '-snapshot',
      's',
      '-copy-to',
      'hdfs://west/hbase',
      '-mappers',
      '4',
    ]);
    expect(
      exportArgs({
        snapshot: 's',
        copyTo: 'hdfs://west/hbase',
        copyFrom: 'hdfs://east/hbase',
        mappers: 1,
        bandwidthMBps: 50,
        owner: 'hbase',
        group: 'hadoop',
      }),
    ).toEqual([
      'snapshot',
      'export',
      '-snapshot',
      's',
      '-copy-from',
      'hdfs://east/hbase',
      '-copy-to',
      'hdfs://west/hbase',
      '-mappers',
      '1',
      '-bandwidth',
      '50',
      '-chuser',
      'hbase',
      '-chgroup',
      'hadoop',
    ]);
  });
});

describe('a failed export', () => {
  it('says when it ran out of memory, and what to give it; else where to look', () => {
    const stderr = [
      '26/12/02 22:25:24 WARN mapred.LocalJobRunner: job_local637978083_0001',
      'java.lang.Exception: java.lang.OutOfMemoryError: Java heap space',
      'Caused by: java.lang.OutOfMemoryError: Java heap space',
      'org.apache.hadoop.hbase.snapshot.ExportSnapshotException: NA',
    ].join('\n');
    expect(exportFailureHint(stderr)).toBe(
      'ExportSnapshot ran out of memory (Java heap space): give the hbase tool more heap (HBASE_HEAPSIZE in tools.env), fewer copy.mappers, or a YARN to run on; the previous restore point is intact',
    );
    expect(exportFailureHint('org.apache.hadoop.hbase.snapshot.ExportSnapshotException: NA')).toBe(
      'see the ExportSnapshot log; the previous restore point is intact',
    );
  });
});

describe('SnapshotInfo', () => {
  it('lists each file with its size on either side; the same files compare equal', () => {
    const primary = parseSnapshotInfo(fixture('snapshotinfo-2.6.1-primary.txt'), 'splitsnap1');
    const secondary = parseSnapshotInfo(fixture('snapshotinfo-2.6.1-secondary.txt'), 'splitsnap1');
    expect(primary.problems).toEqual([]);
    expect([...primary.files.values()].reduce((a, b) => a + b, 0)).toBe(67231);
    expect(primary.files.size).toBe(3);
    expect(compareSnapshotFiles(primary, secondary)).toEqual([]);
  });

  it('sees a missing file and a BAD SNAPSHOT although the tool exits 0, and a snapshot that is not there', () => {
    const bad = parseSnapshotInfo(fixture('snapshotinfo-2.6.1-bad.txt'), 'snapA1795636983933');
    expect(bad.problems).toEqual([
      'exp_t1/98c3143eb8d417567389d7dafb4901c8/f/eae32ea4e6c54898a7b0bdad5a5b9b1e not found',
      'BAD SNAPSHOT: 1 hfile(s) and 0 log(s) missing.',
    ]);
    const gone = parseSnapshotInfo(fixture('snapshotinfo-2.6.1-notfound.txt'), 'nonexist');
    expect(gone.problems).toEqual(['snapshot nonexist not found']);
    const primary = parseSnapshotInfo(fixture('snapshotinfo-2.6.1-primary.txt'), 'splitsnap1');
    const shrunk = parseSnapshotInfo(fixture('snapshotinfo-2.6.1-secondary.txt').replace('   18038 ', '   18000 '), 'splitsnap1');
    expect(compareSnapshotFiles(primary, shrunk)).toEqual([
      'exp_split/85ebe976bd3adf348c2af7c782104b2b/f/387eecb2485c4ad8b884ff4d6f6ae8e3: 18038 bytes on the primary, 18000 on the secondary',
    ]);
  });
});

describe('HBase names and the shell session', () => {
  it('names one snapshot per table and moment, and finds the stamp of its own only', () => {
    const name = tableSnapshotName('hb-orders-20261125T020000Z', 'sales:events');
    expect(name).toBe('hb-orders-20261125T020000Z.sales.events');
    expect(stampOfTableSnapshot('orders', 'sales:events', name)).toBe('20261125T020000Z');
    expect(stampOfTableSnapshot('orders', 'default:events', name)).toBeUndefined();
    expect(stampOfTableSnapshot('orders-eu', 'sales:events', name)).toBeUndefined();
    expect(stampOfTableSnapshot('orders', 'sales:events', 'hb-orders-latest.sales.events')).toBeUndefined();
  });

  it('takes every snapshot from one line, and reads what the session says', () => {
    expect(
      fireLine([
        { table: 'sales:events', name: 'n1' },
        { table: "o'dd", name: 'n2' },
      ]),
    ).toBe("hbackup_fire([['sales:events', 'n1'], ['o\\'dd', 'n2']])\n");
    expect(parseOutcome('hbackup:done n1')).toEqual({ name: 'n1', ok: true });
    expect(
      parseOutcome("hbackup:failed n2 org.apache.hadoop.hbase.snapshot.SnapshotCreationException: Table 'x' doesn't exist"),
    ).toMatchObject({ ok: false, why: expect.stringMatching(/doesn't exist$/) });
    expect(parseOutcome("hbase:004:0> puts 'hbackup:done n1'")).toBeUndefined();
    expect(shellError("hbase:001:0> delete_snapshot 'x'\nERROR: Snapshot 'x' doesn't exist.\n")).toBe("ERROR: Snapshot 'x' doesn't exist.");
  });

  it('finds the HDFS path of hbase.rootdir', () => {
    const c = (rootdir?: string) => ({ name: 'w', hbase: rootdir ? { rootdir } : undefined }) as never;
    expect(rootPath(c('hdfs://nn:8020/hbase'))).toBe('/hbase');
    expect(rootPath(c('hdfs://nameservice1/apps/hbase/data/'))).toBe('/apps/hbase/data');
    expect(rootPath(c())).toBeUndefined();
  });
});

describe("the moment's shell session", () => {
  it('ends the shell and leaves no timer behind (a pending one kept hbackup running after its report)', async () => {
    vi.useFakeTimers();
    try {
      const written: string[] = [];
      let killed = false;
      const session: Session = {
        write: (text) => void written.push(text),
        waitFor: async (re) => (re.test('hbackup:ready') ? 'hbackup:ready' : 'hbackup:fired'),
        lines: () => [],
        end: async () => ({ exitCode: 0, stdout: '', stderr: '' }),
        kill: () => {
          killed = true;
        },
        unref: () => undefined,
      };
      const ctx = {
        primary: { tool: (name: string, args: string[]) => ({ argv: [`/bin/${name}`, ...args] }) },
        spawn: () => session,
        debug: () => undefined,
        now: () => new Date(),
      } as unknown as FlowContext;
      const trigger = await armHbase(ctx, []);
      await trigger.close();
      expect(written.at(-1)).toBe(SESSION_END);
      expect(killed).toBe(false);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

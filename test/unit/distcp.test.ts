// DistCp command lines are built as data; its output (recorded from Hadoop 3.3.5) is parsed.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffCopyArgs, diffRefusal, fsUri, fullCopyArgs, parseCounters } from '../../src/distcp/distcp.js';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('distcp', () => {
  it('copies a snapshot in full with -update -delete, preserving attributes', () => {
    expect(fullCopyArgs('hdfs://east/d/.snapshot/s2', 'hdfs://west/d', { mappers: 4, bandwidthMBps: 50 })).toEqual([
      'distcp',
      '-update',
      '-delete',
      '-pbcugpaxt',
      '-m',
      '4',
      '-bandwidth',
      '50',
      'hdfs://east/d/.snapshot/s2',
      'hdfs://west/d',
    ]);
  });

  it('copies incrementally with -update -diff from the directory itself', () => {
    expect(diffCopyArgs('hdfs://east/d', 'hdfs://west/d', 's1', 's2', { mappers: 8 })).toEqual([
      'distcp',
      '-update',
      '-diff',
      's1',
      's2',
      '-pbcugpaxt',
      '-m',
      '8',
      'hdfs://east/d',
      'hdfs://west/d',
    ]);
  });

  it('joins a filesystem URI and a path, keeping spaces and non-ASCII as they are', () => {
    expect(fsUri('hdfs://127.0.0.1:8020/', '/a b/ü')).toBe('hdfs://127.0.0.1:8020/a b/ü');
  });

  it('reads the counters of a real DistCp run', () => {
    expect(parseCounters(fixture('distcp-3.3.5-full.txt'))).toEqual({
      bytesCopied: 23_893,
      filesCopied: 1,
      bytesSkipped: 0,
      filesSkipped: 0,
    });
  });

  it('recognises DistCp refusing -diff on a modified target', () => {
    expect(diffRefusal(fixture('distcp-3.3.5-diff-refused.txt'))).toBe('The target has been modified since snapshot s1');
    expect(diffRefusal(fixture('distcp-3.3.5-full.txt'))).toBeUndefined();
  });
});

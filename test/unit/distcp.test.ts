// DistCp command lines are built as data; its output (recorded from Hadoop 3.3.5) is parsed.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffCopyArgs, diffRefusal, fsUri, fullCopyArgs, parseCounters, unreadableFile } from '../../src/distcp/distcp.js';
import { causeLine, ToolError } from '../../src/errors.js';

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

describe('a tool failure names its cause, not a stack frame', () => {
  it('takes the exception line of a Java tool, its deepest cause first, else the last line', () => {
    const log = fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'distcp-3.3.5-diff-refused.txt'), 'utf8');
    expect(causeLine(log)).toMatch(/^java\.lang\.Exception: DistCp sync failed/);
    expect(causeLine(log)).not.toContain('DistCp.main');
    const caused = [
      'ERROR tools.DistCp: Exception encountered',
      'java.io.IOException: copy failed',
      '\tat org.apache.hadoop.tools.DistCp.main(DistCp.java:443)',
      'Caused by: java.io.FileNotFoundException: File does not exist: /r_x',
      '\tat org.apache.hadoop.hdfs.DFSClient.open(DFSClient.java:1)',
      '\t... 12 more',
    ].join('\n');
    expect(causeLine(caused, ': ')).toBe(': java.io.FileNotFoundException: File does not exist: /r_x');
    expect(causeLine('first\nsecond line\n\n')).toBe('second line');
    expect(new ToolError(['hadoop', 'distcp'], 255, caused).message).toBe(
      'hadoop distcp exited with 255: java.io.FileNotFoundException: File does not exist: /r_x',
    );
  });
});

describe('unreadableFile', () => {
  it('names the file of a block whose checksum no longer matches, or that no DataNode serves', () => {
    expect(
      unreadableFile(
        'Caused by: org.apache.hadoop.fs.ChecksumException: Checksum CRC32C not matched for file /exp/d/.snapshot/s/a b.txt at position 0: expected=484AD83C but computed=FF10F232, algorithm=CRC32C',
      ),
    ).toBe('/exp/d/.snapshot/s/a b.txt');
    expect(
      unreadableFile(
        'org.apache.hadoop.hdfs.BlockMissingException: Could not obtain block: BP-1-127.0.0.1-1:blk_1073742583_1759 file=/d/.snapshot/s/f.txt No live nodes contain current block',
      ),
    ).toBe('/d/.snapshot/s/f.txt');
    expect(unreadableFile('26/12/01 INFO mapreduce.Job: map 100% reduce 0%')).toBeUndefined();
  });
});

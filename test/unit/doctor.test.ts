// What doctor makes of the versions it read: each site's tools against its NameNode, and the two
// sites against each other.
import { describe, expect, it } from 'vitest';
import { versionFindings } from '../../src/doctor/doctor.js';

describe('doctor: versions', () => {
  it('finds nothing to say when both sites and their tools run the same major version', () => {
    expect(versionFindings({ east: { namenode: '3.3.5', hadoop: '3.3.6' }, west: { namenode: '3.4.1', hadoop: '3.4.1' } })).toEqual([]);
  });

  it('warns of tools of another major version, and of sites of different majors; fails a Hadoop without -diff', () => {
    const found = versionFindings({ east: { namenode: '3.3.5', hadoop: '2.10.2' }, west: { namenode: '2.6.0' } });
    expect(found.map((f) => `${f.level} ${f.site}: ${f.text}`)).toEqual([
      'warn east: its tools are Hadoop 2.10.2, its NameNode Hadoop 3.3.5',
      'fail west: Hadoop 2.6.0 has no DistCp -diff (incremental copies need 2.7 or later)',
      expect.stringMatching(/^warn \*: the sites run different Hadoop major versions \(east 3\.3\.5, west 2\.6\.0\)/),
    ]);
    expect(found.every((f) => f.fix)).toBe(true);
  });
});

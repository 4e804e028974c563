/**
 * The data-set kinds hbackup knows. A policy entry belongs to the first kind that recognises it.
 */
import type { DatasetRecord } from '../catalog/catalog.js';
import type { Dataset } from '../config/schema.js';
import type { Site } from '../sites/site.js';
import { hbaseKind } from './hbase/kind.js';
import { hdfsKind } from './hdfs/kind.js';
import { hiveKind } from './hive/kind.js';
import type { DatasetKind, DatasetSpec, DatasetType } from './kind.js';

const KINDS = [hdfsKind, hbaseKind, hiveKind] as unknown as DatasetKind[];

export function kindOf(type: DatasetType): DatasetKind {
  const kind = KINDS.find((k) => k.type === type);
  if (!kind) throw new Error(`no data-set kind ${type}`);
  return kind;
}

/** What of a restore point's data sets a site does not hold (snapshot paths), each asked of its kind. */
export async function missingOn(site: Site, records: DatasetRecord[]): Promise<string[]> {
  const missing: string[] = [];
  for (const r of records) missing.push(...(await kindOf(r.type).missing(site, r)));
  return missing;
}

/** The policy's data sets, each normalised by its kind. */
export function specsOf(datasets: Dataset[]): DatasetSpec[] {
  return datasets.map((entry) => {
    for (const kind of KINDS) {
      const spec = kind.spec(entry);
      if (spec) return spec;
    }
    throw new Error(`no data-set kind for ${JSON.stringify(entry)}`);
  });
}

/** The policy's data sets with those that name many (a Hive database.*) expanded on the primary; each named once. */
export async function expandSpecs(primary: Site, specs: DatasetSpec[]): Promise<DatasetSpec[]> {
  const out: DatasetSpec[] = [];
  for (const spec of specs) {
    const expand = kindOf(spec.type).expand;
    for (const one of expand ? await expand(primary, spec) : [spec]) {
      if (!out.some((o) => o.type === one.type && o.source === one.source)) out.push(one);
    }
  }
  return out;
}

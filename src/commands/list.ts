import { resolvePolicy } from '../config/load.js';
import { policyFor } from '../core/context.js';
import { specsOf } from '../datasets/index.js';
import { ExitCode } from '../errors.js';
import { listRestorePoints } from '../flows/list/list.js';
import { lockHolder } from '../lock/lock.js';
import { currentRoles } from '../sites/roles.js';
import { openSite } from '../sites/site.js';
import { type CommandEnv, siteIo } from './context.js';

export interface ListCommandOptions {
  clusters?: string;
}

/** What belongs to no restore point: said first, with what it keeps alive and who removes it. */
function printLeftovers(env: CommandEnv, listing: Awaited<ReturnType<typeof listRestorePoints>>): void {
  const { leftovers: left } = listing;
  if (listing.notLooked) env.out.handle({ type: 'note', level: 'warn', text: listing.notLooked });
  if (!left.length) return;
  const busy = lockHolder(listing.service, env.stateDir);
  if (busy) {
    env.out.print(
      `  ${left.length} snapshot(s) or file(s) of no restore point yet: a run of ${listing.service} is under way (pid ${busy.pid})`,
    );
    return;
  }
  const bytes = left.reduce((n, l) => n + (l.bytes ?? 0), 0);
  env.out.handle({
    type: 'note',
    level: 'warn',
    text: `${listing.service}: ${left.length} snapshot(s) or file(s) hbackup made belong to no restore point (referencing ${bytes} bytes); the next backup removes them`,
  });
  for (const l of left) env.out.print(`  left over on ${l.site}: ${l.path}${l.bytes !== null ? ` (${l.bytes} bytes)` : ''}`);
}

/** The service's restore points, from the secondary's catalog. */
export async function listCommand(file: string, opts: ListCommandOptions, env: CommandEnv): Promise<number> {
  const rp = resolvePolicy(file, opts.clusters);
  const roles = await currentRoles(rp, (c) => openSite(c, siteIo(env)));
  const site = openSite(roles.secondary, siteIo(env));
  const specs = specsOf(policyFor(rp, roles).datasets);
  const listing = await listRestorePoints({ primary: openSite(roles.primary, siteIo(env)), secondary: site }, rp.policy.service, specs);
  const { out } = env;
  for (const u of listing.unreadable) out.error(`catalog entry ${u.path} on ${site.name} cannot be read: ${u.reason}`);
  if (out.json) {
    out.printJson(listing);
    return listing.unreadable.length ? ExitCode.FAILED : ExitCode.OK;
  }
  const { service, restorePoints: points } = listing;
  printLeftovers(env, listing);
  if (!points.length && !listing.unreadable.length) {
    out.print(`${service}: no restore points on ${site.name} yet`);
    return ExitCode.OK;
  }
  out.print(`${service}: ${points.length} restore point(s) on ${site.name}, newest last`);
  out.print('RESTORE POINT                          MOMENT                DATA SETS  MODES             BYTES COPIED  WINDOW   STATE');
  for (const p of points) {
    const modes = [...new Set(p.datasets.map((d) => d.mode))].join('+');
    const bytes = p.datasets.reduce((n, d) => n + d.bytesCopied, 0);
    const state = p.intact ? 'ok' : out.c.red(`INCOMPLETE: missing ${p.missing.join(', ')}`);
    out.print(
      `${p.snapshot.padEnd(38)} ${p.moment.padEnd(21)} ${String(p.datasets.length).padEnd(10)} ${modes.padEnd(17)} ${String(bytes).padEnd(13)} ${`${p.consistencyWindowMs} ms`.padEnd(8)} ${state}`,
    );
    // Hive tables: their partitions as the restore point holds them.
    const tables = p.datasets.flatMap((d) => {
      const parts = (d as { table?: { partitions?: unknown[] } }).table?.partitions;
      return d.type === 'hive' ? [`${d.target} (${parts?.length ?? 0} partition(s))`] : [];
    });
    if (tables.length) out.print(`  Hive tables: ${tables.join(', ')}`);
  }
  for (const u of listing.unreadable) out.print(`${u.path}  ${out.c.red(`UNREADABLE: ${u.reason}`)}`);
  return listing.unreadable.length ? ExitCode.FAILED : ExitCode.OK;
}

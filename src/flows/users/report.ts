/** sync-users' report as people read it; `--json` prints the report itself. */
import { type Output, outcomeWord } from '../../output.js';
import type { UsersReport } from './sync.js';

export function printUsers(out: Output, r: UsersReport, indent = ''): void {
  const head = outcomeWord(out, r.result);
  const grants = r.granted || r.revoked ? `; HBase: ${r.granted?.length ?? 0} grant(s), ${r.revoked?.length ?? 0} revoke(s)` : '';
  const counts = `${r.created.length} to create, ${r.changed.length} to change, ${r.removed.length} to remove${grants}`;
  const copies = r.contents?.length
    ? `; files: ${r.contents.map((c) => `${c.entries} entr${c.entries === 1 ? 'y' : 'ies'} differ under ${c.root}`).join(', ')}`
    : '';
  const what = r.changes.length ? `${counts}${copies}` : 'nothing to do: the secondary already mirrors the primary';
  out.print(
    `${indent}sync-users: ${head} — ${r.primary ?? '?'} → ${r.secondary ?? '?'}, ${r.places} place(s); ${what}${r.dryRun ? '; dry run: nothing was changed' : ''}`,
  );
  if (r.changes.length) {
    out.print(r.dryRun ? `${indent}  would make these changes, in order:` : `${indent}  made ${r.applied} change(s), in order:`);
    for (const c of r.changes.slice(0, r.dryRun ? r.changes.length : r.applied)) out.print(`${indent}    ${c.site}: ${c.change}`);
  }
  for (const w of r.warnings) out.handle({ type: 'note', level: 'warn', text: w });
}

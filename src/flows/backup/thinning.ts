/**
 * Which restore points a retention keeps, decided from their stamps and the time now (pure). A count
 * keeps the newest N. A thinning keeps every point `within` a span, then the newest point of each
 * of the last N minutes, hours, days, ISO weeks and months (UTC) that have one — a period whose
 * newest point an earlier rule kept already does not count — so frequent cycles leave a bounded,
 * ever sparser history: e.g. every point of the last hour, one an hour for a day, one a day for a month.
 */

export interface Thinning {
  /** Seconds: every point younger than this is kept. */
  within?: number;
  minutely?: number;
  hourly?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
}

/** A retention: the newest N points, or a thinning by age. */
export type Keep = number | Thinning;

const RULES = ['minutely', 'hourly', 'daily', 'weekly', 'monthly'] as const;

/** The time of a stamp (20261125T020000Z). */
export const stampTime = (stamp: string): number =>
  Date.UTC(+stamp.slice(0, 4), +stamp.slice(4, 6) - 1, +stamp.slice(6, 8), +stamp.slice(9, 11), +stamp.slice(11, 13), +stamp.slice(13, 15));

/** The ISO week of a day: its Thursday's year and the week number. */
function isoWeek(t: number): string {
  const d = new Date(t);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3);
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return `${year}-W${week}`;
}

/** The period a stamp falls in, per rule. */
const periodOf = (rule: (typeof RULES)[number], stamp: string): string => {
  switch (rule) {
    case 'minutely':
      return stamp.slice(0, 13);
    case 'hourly':
      return stamp.slice(0, 11);
    case 'daily':
      return stamp.slice(0, 8);
    case 'weekly':
      return isoWeek(stampTime(stamp));
    case 'monthly':
      return stamp.slice(0, 6);
  }
};

/** The stamps a retention keeps, of these (any order); the newest is always kept. */
export function keptStamps(stamps: string[], keep: Keep, now: Date): Set<string> {
  const newestFirst = [...stamps].sort().reverse();
  if (typeof keep === 'number') return new Set(newestFirst.slice(0, Math.max(1, keep)));
  const kept = new Set(newestFirst.slice(0, 1));
  if (keep.within !== undefined) {
    for (const s of newestFirst) if (now.getTime() - stampTime(s) <= keep.within * 1000) kept.add(s);
  }
  for (const rule of RULES) {
    const n = keep[rule] ?? 0;
    let counted = 0;
    let last: string | undefined;
    for (const s of newestFirst) {
      if (counted >= n) break;
      const period = periodOf(rule, s);
      if (period === last) continue;
      last = period;
      if (kept.has(s)) continue;
      kept.add(s);
      counted++;
    }
  }
  return kept;
}

/** A retention in words: "14", "every point within 1h, 24 hourly, 30 daily". */
export function describeKeep(keep: Keep): string {
  if (typeof keep === 'number') return String(keep);
  const parts = keep.within !== undefined ? [`every point within ${spanText(keep.within)}`] : [];
  for (const rule of RULES) if (keep[rule]) parts.push(`${keep[rule]} ${rule}`);
  return parts.join(', ') || 'the newest';
}

const UNITS: [string, number][] = [
  ['w', 604_800],
  ['d', 86_400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
];

const spanText = (seconds: number) => {
  const [u, n] = UNITS.find(([, n]) => seconds % n === 0 && seconds >= n) ?? ['s', 1];
  return `${seconds / n}${u}`;
};

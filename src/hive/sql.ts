/**
 * HiveQL built from names and values, never from pasted text: identifiers in backquotes (a
 * backquote doubled), values as string literals (quote and backslash escaped), and column types
 * accepted only as Hive writes them (words, numbers, <>(),: and spaces).
 */
import { HbackupError } from '../errors.js';

/** A quoted identifier: `name` (one holding a semicolon or a line break is refused: Beeline splits statements there). */
export function ident(name: string): string {
  if (/[;\n\r]/.test(name))
    throw new HbackupError(`the name ${JSON.stringify(name)} holds a semicolon or a line break; nothing was changed`);
  return `\`${name.replace(/`/g, '``')}\``;
}

/** `db`.`table`. */
export const qualified = (db: string, table: string): string => `${ident(db)}.${ident(table)}`;

/** A string literal: 'text', with backslash, quote and control characters escaped as Hive reads them. */
export const literal = (text: string): string =>
  `'${text
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/;/g, '\\073')}'`;

/** A column type as the metastore gives it (int, decimal(10,2), array<struct<a:int,b:string>>), or refused. */
export function columnType(type: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_<>(),: ]*$/.test(type) || type.length > 4000) {
    throw new HbackupError(`column type ${JSON.stringify(type.slice(0, 80))} is not one hbackup can write back; nothing was changed`);
  }
  return type;
}

/** ('k'='v', …) for SERDEPROPERTIES and TBLPROPERTIES. */
export const properties = (props: Record<string, string>): string =>
  `(${Object.entries(props)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${literal(k)}=${literal(v)}`)
    .join(', ')})`;

/** PARTITION (`k`='v', …). */
export const partitionSpec = (keys: string[], values: string[]): string =>
  `PARTITION (${keys.map((k, i) => `${ident(k)}=${literal(values[i] ?? '')}`).join(', ')})`;

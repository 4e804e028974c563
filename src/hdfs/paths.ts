/** HDFS path facts shared by configuration checks and the backup. */

/** Is `child` strictly inside `parent`? */
export const isInside = (child: string, parent: string): boolean => child !== parent && (parent === '/' || child.startsWith(`${parent}/`));

/** The read-only view of a directory at one of its snapshots: `<dir>/.snapshot/<name>`. */
export const snapshotPath = (dir: string, name: string): string => `${dir === '/' ? '' : dir}/.snapshot/${name}`;

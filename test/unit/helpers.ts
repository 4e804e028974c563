import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const tmp = (prefix = 'unit') => fs.mkdtempSync(path.join(os.tmpdir(), `hbackup-${prefix}-`));

/** Write files into a fresh temporary directory; returns the directory. */
export function files(entries: Record<string, string>): string {
  const dir = tmp('files');
  for (const [name, text] of Object.entries(entries)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

export const CLUSTERS = `clusters:
  east:
    role: primary
    webhdfs: http://nn.east:9870
    fs: hdfs://east
  west:
    role: secondary
    webhdfs: [http://nn1.west:9870, http://nn2.west:9870]
    fs: hdfs://west
`;

/** A capturing stream for in-process CLI runs. */
export function capture() {
  let text = '';
  return {
    stream: {
      write: (s: string) => {
        text += s;
        return true;
      },
      isTTY: false,
    } as unknown as NodeJS.WritableStream,
    get text() {
      return text;
    },
  };
}

import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { Code } from '../pipeline/code';
import { LAUNCHER_PATH } from './paths';

/** Where the launcher sits in a code archive: `python3 code.zip ...` runs it. */
const ARCHIVE_MAIN = '__main__.py';

/**
 * A step's code as one zip archive with the launcher as `__main__.py`, so that
 * `python3 code.zip --entry train.py ...` runs the step on any engine. The bytes depend only on
 * the files' paths and contents (sorted entries, fixed timestamps), so unchanged code gives the
 * same archive, asset hash and ConfigMap.
 */
export function packageCode(code: Code): Buffer {
  const files = code.files();
  if (files.includes(ARCHIVE_MAIN)) {
    throw new Error(`code directory ${code.directory} has its own ${ARCHIVE_MAIN}, which the step launcher needs; rename it or add it to Code.fromDirectory(dir, { exclude: ['${ARCHIVE_MAIN}'] })`);
  }
  const entries = [
    { name: ARCHIVE_MAIN, data: fs.readFileSync(LAUNCHER_PATH), mode: 0o644 },
    ...files.map((name) => {
      const full = path.join(code.directory, ...name.split('/'));
      return { name, data: fs.readFileSync(full), mode: fs.statSync(full).mode & 0o777 };
    }),
  ];
  return writeZip(entries);
}

interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
  readonly mode: number;
}

/** 1980-01-01 00:00, the earliest DOS date: fixed so the archive is reproducible. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

function writeZip(entries: ZipEntry[]): Buffer {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const deflated = zlib.deflateRawSync(entry.data, { level: 9 });
    const stored = deflated.length >= entry.data.length;
    const body = stored ? entry.data : deflated;
    const crc = zlib.crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(stored ? 0 : 8, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    chunks.push(local, name, body);

    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode bits below count
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x0800, 8);
    header.writeUInt16LE(stored ? 0 : 8, 10);
    header.writeUInt16LE(DOS_TIME, 12);
    header.writeUInt16LE(DOS_DATE, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(body.length, 20);
    header.writeUInt32LE(entry.data.length, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(((0o100000 | entry.mode) << 16) >>> 0, 38); // regular file + permissions
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    offset += local.length + name.length + body.length;
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...chunks, ...central, end]);
}

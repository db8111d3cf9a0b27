import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;

/** One file of a code archive. */
export interface ArchivedFile {
  /** Its path inside the archive, '/'-separated. */
  readonly name: string;
  readonly data: Buffer;
  /** Unix permission bits (0o644 when the archive has none). */
  readonly mode: number;
}

/**
 * The files of a code archive as packageCode writes it (stored or deflated entries, no ZIP64),
 * each checked against its CRC. Anything else, and any entry whose name would leave the folder it
 * unpacks into, throws with what is wrong.
 */
export function readCodeArchive(archive: Buffer): ArchivedFile[] {
  const end = archive.lastIndexOf(uint32(END_OF_CENTRAL_DIRECTORY));
  if (end < 0 || end + 22 > archive.length) {
    throw new Error('is not a ZIP archive (no end of central directory)');
  }
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const files: ArchivedFile[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > archive.length || archive.readUInt32LE(at) !== CENTRAL_HEADER) {
      throw new Error(`entry ${i + 1} of ${count}: the central directory is cut short`);
    }
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const compressedSize = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const mode = (archive.readUInt32LE(at + 38) >>> 16) & 0o777;
    const localAt = archive.readUInt32LE(at + 42);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    at += 46 + nameLength + extraLength + commentLength;

    if (!safeName(name)) {
      throw new Error(`entry '${name}' would unpack outside its folder`);
    }
    if (localAt + 30 > archive.length || archive.readUInt32LE(localAt) !== LOCAL_HEADER) {
      throw new Error(`entry '${name}': no local header where the central directory says`);
    }
    const bodyAt = localAt + 30 + archive.readUInt16LE(localAt + 26) + archive.readUInt16LE(localAt + 28);
    const body = archive.subarray(bodyAt, bodyAt + compressedSize);
    if (method !== 0 && method !== 8) {
      throw new Error(`entry '${name}': compression method ${method} is not stored (0) or deflate (8)`);
    }
    const data = method === 8 ? inflate(body, name) : Buffer.from(body);
    if (zlib.crc32(data) !== crc) {
      throw new Error(`entry '${name}' does not match its CRC: the archive is damaged`);
    }
    files.push({ name, data, mode: mode || 0o644 });
  }
  return files;
}

/** Writes a code archive's files below `directory`, which is emptied first. */
export function unpackCodeArchive(archive: Buffer, directory: string): void {
  const files = readCodeArchive(archive);
  fs.rmSync(directory, { recursive: true, force: true });
  for (const file of files) {
    const target = path.join(directory, ...file.name.split('/'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.data, { mode: file.mode });
  }
  fs.mkdirSync(directory, { recursive: true });
}

function inflate(body: Buffer, name: string): Buffer {
  try {
    return zlib.inflateRawSync(body);
  } catch (e) {
    throw new Error(`entry '${name}' cannot be inflated (${(e as Error).message}): the archive is damaged`, { cause: e });
  }
}

function safeName(name: string): boolean {
  const parts = name.split('/');
  return name.length > 0 && !name.startsWith('/') && !name.includes('\\') && !/^[a-zA-Z]:/.test(name) && parts.every((p) => p !== '' && p !== '.' && p !== '..');
}

function uint32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return b;
}

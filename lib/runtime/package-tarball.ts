import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { Code } from '../pipeline/code';
import { LAUNCHER_FILE_NAME, LAUNCHER_PATH } from './paths';

const BLOCK = 512;

/**
 * A Code as a gzipped tar of its files (no launcher), the `sourcedir.tar.gz` that SageMaker's
 * framework serving containers download from `SAGEMAKER_SUBMIT_DIRECTORY`. Reproducible: sorted
 * entries, mtime 0, uid/gid 0, only the files' paths, modes and contents count.
 */
export function packageCodeTarball(code: Code): Buffer {
  return tarball(code, []);
}

/**
 * A Code as a gzipped tar with the launcher beside it as `_mlops_launcher.py`: what a SageMaker
 * tuning trial's training toolkit downloads from sagemaker_submit_directory and runs as
 * sagemaker_program (a tuning job cannot set the container's entrypoint). Reproducible too.
 */
export function packageTrialTarball(code: Code): Buffer {
  if (code.files().includes(LAUNCHER_FILE_NAME)) {
    throw new Error(`code directory ${code.directory} has its own ${LAUNCHER_FILE_NAME}, which the step launcher needs in a tuning trial; rename it or add it to Code.fromDirectory(dir, { exclude: ['${LAUNCHER_FILE_NAME}'] })`);
  }
  return tarball(code, [{ name: LAUNCHER_FILE_NAME, data: fs.readFileSync(LAUNCHER_PATH), mode: 0o644 }]);
}

function tarball(code: Code, extra: { name: string; data: Buffer; mode: number }[]): Buffer {
  const blocks: Buffer[] = [];
  const entries = [
    ...extra,
    ...code.files().map((name) => {
      const full = path.join(code.directory, ...name.split('/'));
      return { name, data: fs.readFileSync(full), mode: fs.statSync(full).mode & 0o777 };
    }),
  ];
  for (const { name, data, mode } of entries) {
    blocks.push(header(name, data.length, mode), data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  blocks.push(Buffer.alloc(2 * BLOCK));
  return zlib.gzipSync(Buffer.concat(blocks), { level: 9 });
}

function header(name: string, size: number, mode: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const { prefix, base } = splitName(name);
  h.write(base, 0, 100, 'utf8');
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, 0);
  h.fill(' ', 148, 156); // the checksum counts its own field as spaces
  h.write('0', 156, 1, 'ascii');
  h.write('ustar\u000000', 257, 8, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) {
    sum += byte;
  }
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return h;
}

/** ustar keeps names over 100 bytes as a prefix (up to 155) and a name, split at a '/'. */
function splitName(name: string): { prefix: string; base: string } {
  if (Buffer.byteLength(name) <= 100) {
    return { prefix: '', base: name };
  }
  for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const base = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(base) <= 100) {
      return { prefix, base };
    }
  }
  throw new Error(`code file path '${name}' is too long for a tar archive (ustar: 100 bytes, or 155 + 100 split at a '/'); shorten it`);
}

function octal(h: Buffer, at: number, width: number, value: number): void {
  h.write(`${value.toString(8).padStart(width - 1, '0')}\u0000`, at, width, 'ascii');
}

import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createFileRegistry, FileRegistry, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { sharedSchemasDir } from '../shared-schemas';

const REPO = path.resolve(__dirname, '..', '..', '..');
/** The upstream KFP 2.17.0 protos (see ../shared/schemas/PROVENANCE.md); read-only, never written. */
export function kfpProtoDir(): string {
  return path.join(sharedSchemasDir(), 'kubeflow');
}
const CACHE_DIR = path.join(REPO, 'node_modules', '.cache', 'cdk-mlops');

let registry: FileRegistry | undefined;

/**
 * A registry of the KFP IR messages (ml_pipelines.*, kfp_kubernetes.*), built once per process
 * from a descriptor set that `buf build` compiles from the protos. The descriptor set is cached
 * under node_modules/.cache, keyed by the protos' content, so only the first process pays for buf.
 */
export function kubeflowRegistry(): FileRegistry {
  if (!registry) {
    registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, descriptorSet()));
  }
  return registry;
}

function protoFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) {
      return protoFiles(path.join(dir, e.name), rel);
    }
    return e.name.endsWith('.proto') ? [rel] : [];
  }).sort();
}

function descriptorSet(): Uint8Array {
  const protoDir = kfpProtoDir();
  if (!fs.existsSync(protoDir)) {
    throw new Error(`KFP protos not found at ${protoDir}; see test/support/shared-schemas.ts`);
  }
  const files = protoFiles(protoDir);
  const hash = crypto.createHash('sha256');
  for (const f of files) {
    hash.update(f).update('\0').update(fs.readFileSync(path.join(protoDir, f)));
  }
  const cached = path.join(CACHE_DIR, `kfp-ir-${hash.digest('hex').slice(0, 16)}.binpb`);
  if (fs.existsSync(cached)) {
    return fs.readFileSync(cached);
  }
  // buf writes only its -o file, but build from a copy so nothing can land in shared/.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kfp-protos-'));
  try {
    const src = path.join(work, 'src');
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(src, f)), { recursive: true });
      fs.copyFileSync(path.join(protoDir, f), path.join(src, f));
    }
    const out = path.join(work, 'kfp.binpb');
    const buf = path.join(REPO, 'node_modules', '.bin', 'buf');
    const run = spawnSync(buf, ['build', src, '-o', out], { encoding: 'utf8' });
    if (run.status !== 0) {
      throw new Error(`buf build failed (${run.status}): ${run.stderr || run.error}`);
    }
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    const partial = `${cached}.${process.pid}.tmp`;
    fs.copyFileSync(out, partial);
    fs.renameSync(partial, cached); // atomic, so parallel Jest workers never read half a file
    return fs.readFileSync(cached);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

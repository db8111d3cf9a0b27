import * as fs from 'fs';
import * as path from 'path';
import { Code } from '../pipeline/code';
import { copyDirectory, publishDirectory, readJsonFile, removeTree, tempName, TEMP_PREFIX } from './atomic';

/** What the local registry keeps about one model version (metadata.json). */
export interface ModelVersionMetadata {
  readonly format: string;
  readonly group: string;
  readonly version: number;
  readonly pipeline: string;
  /** The run that registered it. */
  readonly sourceRun: string;
  /** The register-model step, and the training step whose model this is. */
  readonly registeredBy: string;
  readonly sourceStep: string;
  readonly approvalStatus: string;
  /** Every metric the run's steps wrote before registering, by step. */
  readonly metrics: { readonly [step: string]: { readonly [name: string]: unknown } };
  readonly image?: string;
  readonly contentTypes: string[];
  readonly responseTypes: string[];
  /** How the version is served: the script in its code/ directory (`mlops serve` runs it). */
  readonly inference?: { readonly entry: string; readonly env: { readonly [name: string]: string } };
  readonly createdAt: string;
}

export interface RegisteredModel {
  readonly group: string;
  readonly version: number;
  /** The version's directory: metadata.json, model/ and, with inference code, code/. */
  readonly path: string;
}

export type RegistrationRequest = Omit<ModelVersionMetadata, 'format' | 'version' | 'createdAt' | 'inference'>;

/** The serving code registered with a version: its files are copied into the version's code/. */
export interface RegisteredInference {
  readonly code: Code;
  readonly entry: string;
  readonly env?: { readonly [name: string]: string };
}

const FORMAT = 'mlops-local-model/1';
const METADATA = 'metadata.json';
/** Where a version keeps its inference code. */
export const CODE_DIR = 'code';

/** The files of a Code (its excludes applied), copied below `target`. */
function copyCode(code: Code, target: string): void {
  for (const file of code.files()) {
    const to = path.join(target, ...file.split('/'));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(code.directory, ...file.split('/')), to);
  }
}

/**
 * A model registry in a folder: `<dir>/<group>/<version>/{metadata.json, model/}`, versions
 * 1, 2, 3, ... A version is staged under a temporary name and renamed to its number, so it
 * appears whole or not at all, and two runs registering at once get different numbers (a rename
 * onto an existing, non-empty version directory fails, and the loser takes the next number).
 */
export class LocalModelRegistry {
  constructor(public readonly directory: string) {}

  public register(modelDir: string, request: RegistrationRequest, inference?: RegisteredInference): RegisteredModel {
    const again = this.findRegistration(request.group, request.sourceRun, request.registeredBy);
    if (again) {
      return again; // a resumed run that registered before it was killed
    }
    const groupDir = path.join(this.directory, request.group);
    fs.mkdirSync(groupDir, { recursive: true });
    const staging = path.join(groupDir, tempName('version'));
    try {
      fs.mkdirSync(staging);
      copyDirectory(modelDir, path.join(staging, 'model'));
      if (inference) {
        copyCode(inference.code, path.join(staging, CODE_DIR));
      }
      const served = inference && { entry: inference.entry, env: { ...(inference.env ?? {}) } };
      for (let version = this.latestVersion(request.group) + 1; ; version++) {
        const metadata: ModelVersionMetadata = { format: FORMAT, ...request, ...(served ? { inference: served } : {}), version, createdAt: new Date().toISOString() };
        fs.writeFileSync(path.join(staging, METADATA), JSON.stringify(metadata, null, 2) + '\n');
        const target = path.join(groupDir, String(version));
        if (publishDirectory(staging, target)) {
          return { group: request.group, version, path: target };
        }
      }
    } finally {
      removeTree(staging);
    }
  }

  /** Every version of a group, oldest first. */
  public versions(group: string): (RegisteredModel & { readonly metadata: ModelVersionMetadata })[] {
    const groupDir = path.join(this.directory, group);
    if (!fs.existsSync(groupDir)) {
      return [];
    }
    return fs
      .readdirSync(groupDir)
      .filter((name) => /^[1-9][0-9]*$/.test(name))
      .map(Number)
      .sort((a, b) => a - b)
      .flatMap((version) => {
        const dir = path.join(groupDir, String(version));
        const metadata = readJsonFile(path.join(dir, METADATA)) as ModelVersionMetadata | undefined;
        return metadata ? [{ group, version, path: dir, metadata }] : [];
      });
  }

  private latestVersion(group: string): number {
    const groupDir = path.join(this.directory, group);
    const numbers = fs
      .readdirSync(groupDir)
      .filter((name) => !name.startsWith(TEMP_PREFIX) && /^[1-9][0-9]*$/.test(name))
      .map(Number);
    return numbers.length ? Math.max(...numbers) : 0;
  }

  private findRegistration(group: string, run: string, step: string): RegisteredModel | undefined {
    const found = this.versions(group).find((v) => v.metadata.sourceRun === run && v.metadata.registeredBy === step);
    return found && { group: found.group, version: found.version, path: found.path };
  }
}

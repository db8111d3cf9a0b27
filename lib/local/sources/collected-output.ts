import * as fs from 'fs';
import * as path from 'path';
import { CollectedArtifact, DataSource, isMetricsPort } from '../../pipeline/artifacts';
import { ContainerStep } from '../../pipeline/steps/container-step';
import { METRICS_FILE_NAME } from '../../pipeline/contract';
import { directoryFingerprint, fileFingerprint } from '../fingerprint';
import { LocalSourceResolver, PlannedSource, SourcePlanContext, SourceRunContext } from './resolver';

/**
 * One port of every item of a forEach step. The reader's input directory holds one directory per
 * item, named by the item, with that item's port contents (its outputs, its model, or for
 * collectMetrics() its metrics.json). It is assembled for each attempt from hard links to the
 * items' results (copies where links are impossible), so readers walk real files.
 */
export const COLLECTED_OUTPUT_SOURCE: LocalSourceResolver = {
  plan(given: DataSource, context: SourcePlanContext): PlannedSource | undefined {
    // The model has checked that this is a CollectedArtifact of a forEach container step.
    const source = given as CollectedArtifact;
    const producer = source.producer as ContainerStep;
    const items = producer.forEach!;
    const metrics = isMetricsPort(source.name, source.type);
    const at = metrics ? METRICS_FILE_NAME : context.portPath(producer, source.name, source.type);
    if (at === undefined) {
      if (context.hasHandler(producer)) {
        context.problem(`input '${context.input}' reads ${source}, which is not a directory the local runner keeps (a '${producer.kind}' step writes none under '${source.name}'); collect a script output or a training step's model`);
      }
      return undefined;
    }
    const name = producer.name;
    const itemPath = (run: SourceRunContext, index: number) => path.join(run.resultDir(name, index), ...at.split('/'));
    return {
      fingerprint: (run) => {
        const parts: { [item: string]: string } = {};
        items.forEach((item, index) => {
          const record = run.record(name).items?.[index];
          if (record === undefined) {
            throw new Error(`internal: forEach step '${name}' has no record of item '${item}'`);
          }
          record.fingerprints ??= {};
          record.fingerprints[at] ??= fingerprintOf(itemPath(run, index));
          parts[item] = record.fingerprints[at];
        });
        return parts;
      },
      directory: (run, scratch) => {
        const dir = scratch();
        items.forEach((item, index) => {
          const from = itemPath(run, index);
          const into = path.join(dir, item);
          if (metrics) {
            fs.mkdirSync(into);
            if (fs.existsSync(from)) {
              linkFile(from, path.join(into, METRICS_FILE_NAME));
            }
          } else {
            linkTree(from, into);
          }
        });
        return dir;
      },
    };
  },
};

/** An item's port: a directory (outputs, model) or its metrics file; 'missing' when it wrote none. */
function fingerprintOf(file: string): string {
  if (!fs.existsSync(file)) {
    return 'missing';
  }
  return fs.statSync(file).isDirectory() ? directoryFingerprint(file) : fileFingerprint(file);
}

/** Recreates the tree `source` at `target`: directories made, files hard-linked, symlinks copied. */
function linkTree(source: string, target: string): void {
  fs.mkdirSync(target, { recursive: true });
  if (!fs.existsSync(source)) {
    return;
  }
  for (const entry of fs.readdirSync(source, { withFileTypes: true })) {
    const from = path.join(source, entry.name);
    const to = path.join(target, entry.name);
    if (entry.isDirectory()) {
      linkTree(from, to);
    } else if (entry.isSymbolicLink()) {
      fs.symlinkSync(fs.readlinkSync(from), to);
    } else if (entry.isFile()) {
      linkFile(from, to);
    }
  }
}

function linkFile(from: string, to: string): void {
  try {
    fs.linkSync(from, to);
  } catch {
    fs.copyFileSync(from, to); // another file system, or one without hard links
  }
}

import * as fs from 'fs';
import * as path from 'path';
import { DataSource } from '../../pipeline/artifacts';
import { isA } from '../../pipeline/brand';
import { FeatureSnapshot, LATEST_VERSION, VERSION_PATTERN } from '../../pipeline/feature-snapshot';
import { paramText } from '../../pipeline/contract';
import { LiteralValue, ParameterRef } from '../../pipeline/values';
import { fileFingerprint } from '../fingerprint';
import { LocalSourceResolver, PlannedSource, SourcePlanContext } from './resolver';

/** Where the local runner's snapshot store is: the runner's environment names it, or the default folder. */
export const FEATURE_STORE_VAR = 'MLOPS_FEATURE_STORE';

/** The local snapshot store: $MLOPS_FEATURE_STORE, else .mlops/feature-store under the current directory. */
export function localFeatureStoreDir(): string {
  return path.resolve(process.env[FEATURE_STORE_VAR] || path.join('.mlops', 'feature-store'));
}

/**
 * A feature snapshot, read from the local store's folder of the table (in place: committed files
 * are never rewritten). The launcher picks the version when the step starts and lays out only its
 * files; here a named version is checked when the run is planned, so a version that was never
 * committed fails before any step runs. The cache key covers the version's manifest ('none'
 * before the first commit: the launcher then stops the step).
 */
export const FEATURE_SNAPSHOT_SOURCE: LocalSourceResolver = {
  plan(source: DataSource, context: SourcePlanContext): PlannedSource | undefined {
    const at = `input '${context.input}'`;
    if (!isA(source, FeatureSnapshot)) {
      context.problem(`${at} reads ${source}, which says it is a feature snapshot but is not FeatureSnapshot.read(...); use FeatureSnapshot.read(table, { version })`);
      return undefined;
    }
    const store = localFeatureStoreDir();
    const tableDir = path.join(store, source.table);
    const version = versionText(source, context);
    if (version === undefined) {
      return undefined;
    }
    // 'latest' is resolved when the step starts (an earlier step of the same run may commit it).
    if (version !== LATEST_VERSION) {
      const committed = committedVersions(tableDir);
      if (!VERSION_PATTERN.test(version) || !committed.includes(version)) {
        const given = isA(source.version, ParameterRef) ? `parameter '${source.version.name}' gives version ${JSON.stringify(version)}` : `version ${JSON.stringify(version)} is asked for`;
        context.problem(`${at} reads feature snapshot ${source}: ${given}, but table '${source.table}' in ${store} has no such committed version (newest committed: ${committed.slice(-5).join(', ') || 'none'}); give one of them, or '${LATEST_VERSION}'`);
        return undefined;
      }
    }
    return {
      directory: () => tableDir,
      // The version asked for, read now; the launcher reads it again when the step starts.
      fingerprint: () => {
        const latest = path.join(tableDir, 'LATEST');
        const resolved = version !== LATEST_VERSION ? version : fs.existsSync(latest) ? fs.readFileSync(latest, 'utf8').trim() : undefined;
        const manifest = resolved === undefined ? undefined : path.join(tableDir, 'versions', `${resolved}.json`);
        return manifest !== undefined && fs.existsSync(manifest) ? `${resolved}:${fileFingerprint(manifest)}` : 'none';
      },
      snapshotVersion: isA(source.version, ParameterRef) ? version : undefined,
    };
  },
};

function versionText(source: FeatureSnapshot, context: SourcePlanContext): string | undefined {
  if (isA(source.version, LiteralValue)) {
    return String(source.version.value);
  }
  const ref = source.version as ParameterRef;
  const value = context.parameters?.[ref.name];
  if (value === undefined) {
    context.problem(`input '${context.input}' reads feature snapshot ${source}, whose version is parameter '${ref.name}', which has no value in this run; pass --param ${ref.name}=${LATEST_VERSION}`);
    return undefined;
  }
  return paramText(value);
}

function committedVersions(tableDir: string): string[] {
  const dir = path.join(tableDir, 'versions');
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs.readdirSync(dir).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)).filter((v) => VERSION_PATTERN.test(v)).sort();
}

import * as fs from 'fs';
import * as path from 'path';

/**
 * The upstream schemas the tests validate against (see PROVENANCE.md there): MLOPS_SCHEMAS_DIR
 * when set, else ../shared/schemas beside this repository, else /work/shared/schemas, so a
 * checkout anywhere on a machine of this workplace finds them.
 */
export function sharedSchemasDir(): string {
  located ??= locate();
  return located;
}

let located: string | undefined;

function locate(): string {
  const candidates = [
    process.env.MLOPS_SCHEMAS_DIR,
    path.resolve(__dirname, '..', '..', '..', 'shared', 'schemas'),
    '/work/shared/schemas',
  ].filter((c): c is string => c !== undefined && c !== '');
  const found = candidates.find((c) => fs.existsSync(path.join(c, 'PROVENANCE.md')));
  if (found === undefined) {
    throw new Error(`the upstream schemas are not at any of ${candidates.join(', ')}; set MLOPS_SCHEMAS_DIR to the shared/schemas directory`);
  }
  return found;
}

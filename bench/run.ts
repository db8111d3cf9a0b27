/**
 * Runs every benchmark in bench/ (`npm run bench`), or those whose file names contain one of the
 * arguments (`npm run bench -- sagemaker`). Each runs in its own process so they cannot warm each
 * other's caches; each prints its own figures and targets, and records them in bench/results.json.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const filters = process.argv.slice(2);
const files = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(', ')}; have: ${fs.readdirSync(__dirname).filter((f) => f.endsWith('.bench.ts')).join(', ')}`);
  process.exit(1);
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', path.join(__dirname, file)], { stdio: 'inherit' });
  failed += run.status === 0 ? 0 : 1;
}
console.log(`\nfigures: ${path.relative(process.cwd(), path.join(__dirname, 'results.json'))} (recordResults in support.ts)`);
process.exit(failed === 0 ? 0 : 1);

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Code } from '../../../lib';
import { LocalRunOptions } from '../../../lib/local';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const FIXTURE_STEPS = path.join(REPO, 'test', 'fixtures', 'local', 'steps');
export const FIXTURE_PIPELINES = path.join(REPO, 'test', 'fixtures', 'local', 'pipelines');
export const fixtureCode = Code.fromDirectory(FIXTURE_STEPS);

/** A fresh temporary directory, removed by `cleanup()`. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mlops-${prefix}-`));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Run, cache and registry directories under `dir`, plus the repo as the project (its .venv). */
export function stateDirs(dir: string): Required<Pick<LocalRunOptions, 'runsDir' | 'cacheDir' | 'registryDir' | 'projectDir'>> {
  return {
    runsDir: path.join(dir, 'runs'),
    cacheDir: path.join(dir, 'cache'),
    registryDir: path.join(dir, 'registry'),
    projectDir: REPO,
  };
}

/** Lines of a fixture log ("<step> <pid> <event> <time>"), parsed. */
export function readFixtureLog(file: string): { step: string; pid: number; event: string; time: number }[] {
  if (!fs.existsSync(file)) {
    return [];
  }
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [step, pid, event, time] = line.split(' ');
      return { step, pid: Number(pid), event, time: Number(time) };
    });
}

/** True while the process runs; a zombie (dead, waiting for init to reap it) counts as dead. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Polls until `check` holds (or throws after `timeoutMs`). */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 30000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../../bin/cli/program';
import { captureIO } from '../support/local/capture-io';
import { runMlops } from '../support/local/cli';
import { FIXTURE_PIPELINES, tempDir } from '../support/local/fixtures';
import { clearFaults, errno, injectFault } from '../support/local/fs-faults';

jest.mock('fs', () => require('../support/local/fs-faults').faultyFs());

/**
 * A full disk at start and mid-run, through the CLI: injected ENOSPC (always), and a real 1 MiB
 * tmpfs where this process may mount one (root on Linux; skipped elsewhere).
 */

const pipelineFile = path.join(FIXTURE_PIPELINES, 'disk.ts');
const root = tempDir('cli-disk');
const small = path.join(root.dir, 'small');
const mounted = (() => {
  try {
    fs.mkdirSync(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', small], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
afterAll(() => {
  if (mounted) {
    execFileSync('umount', [small]);
  }
  root.cleanup();
});
afterEach(() => clearFaults());

const onSmallFileSystem = mounted ? test : test.skip;

function dirs(runsDir: string, name: string): string[] {
  return ['--runs-dir', runsDir, '--cache-dir', path.join(root.dir, name, 'cache'), '--registry-dir', path.join(root.dir, name, 'registry')];
}

/** Fills the small file system up to its last byte; returns the filler file. */
function fill(): string {
  const filler = path.join(small, 'filler');
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4096'], { stdio: 'ignore' });
  } catch {
    // dd ends with ENOSPC: the file system is full
  }
  return filler;
}

test('injected: a disk full at start prints what, where, the fix and the exact resume command, exit 1; the resume works', async () => {
  const runsDir = path.join(root.dir, 'injected', 'runs');
  injectFault((call, args) => (call === 'writeFileSync' && /steps\/big\/\.tmp-state/.test(String(args[0])) ? errno('ENOSPC', 'open', args[0]) : undefined));
  const io = captureIO({ env: { ...process.env, OUTPUT_KB: '1' } });
  const code = await runCli(['run', pipelineFile, '--local', ...dirs(runsDir, 'injected')], { io });
  expect(code).toBe(1);
  const runId = fs.readdirSync(runsDir)[0];
  const lines = io.err().trimEnd().split('\n');
  expect(lines[0]).toMatch(new RegExp(`^mlops run: the disk is full: run '${runId}' could not be started \\(open ${runsDir}/${runId}/steps/big/\\.tmp-state\\.json-[^ ]+ failed \\(ENOSPC: no space left on device\\)\\); its directory ${runsDir}/${runId} is kept, and the run can be resumed$`));
  expect(lines.slice(1)).toEqual([
    `  fix: free space on the file system that holds ${runsDir} (df -h ${runsDir}) and resume the run, or start a new run with --runs-dir on a disk with room`,
    `  resume: npx mlops run ${pipelineFile} --local --resume ${runId} ${dirs(runsDir, 'injected').join(' ')}`,
  ]);
  expect(io.err()).not.toContain('    at ');

  clearFaults();
  const resumed = captureIO({ env: { ...process.env, OUTPUT_KB: '1' } });
  expect(await runCli(['run', pipelineFile, '--local', '--resume', runId, ...dirs(runsDir, 'injected')], { io: resumed })).toBe(0);
});

onSmallFileSystem('a real full file system at start: a clear message and no stack trace; with room again the run starts', async () => {
  const runsDir = path.join(small, 'start-runs');
  const filler = fill();
  const r = await runMlops(['run', pipelineFile, '--local', ...dirs(runsDir, 'real-start')], { env: { OUTPUT_KB: '1' } });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('mlops run: the disk is full: ');
  expect(r.stderr).toContain('(ENOSPC: no space left on device)');
  expect(r.stderr).toContain(`fix: free space on the file system that holds ${runsDir} (df -h ${runsDir})`);
  expect(r.stderr).toMatch(/\n {2}(resume: npx mlops run .* --resume \d{8}-\d{6}-[0-9a-f]{6} |run again: npx mlops run .* --local --runs-dir )/);
  expect(r.stderr).not.toContain('    at ');
  const resume = /resume: (npx mlops run .*)/.exec(r.stderr);
  fs.rmSync(filler);
  const again = resume
    ? await runMlops([...resume[1].split(' ').slice(2)], { env: { OUTPUT_KB: '1' } })
    : await runMlops(['run', pipelineFile, '--local', ...dirs(runsDir, 'real-start')], { env: { OUTPUT_KB: '1' } });
  expect(again.stderr).toBe('');
  expect(again.code).toBe(0);
  fs.rmSync(runsDir, { recursive: true });
});

onSmallFileSystem('a real file system that fills mid-run: the run stops saying so, the resume reruns only it and what follows', async () => {
  const runsDir = path.join(small, 'mid-runs');
  const first = await runMlops(['run', pipelineFile, '--local', ...dirs(runsDir, 'real-mid')], { env: { OUTPUT_KB: '2048' } });
  expect(first.code).toBe(1);
  // Either the runner finds the disk full (writing the step's log) or the step's own output says so.
  expect(first.stdout).toMatch(new RegExp(`the disk is full: write ${runsDir}/\\S+/steps/big/logs/attempt-1\\.log failed \\(ENOSPC: no space left on device\\); the run stopped|No space left on device.*its output says the disk is full`));
  expect(first.stdout).toMatch(new RegExp(`[Ff]ree space on the file system that holds ${runsDir}`));
  expect(first.stdout + first.stderr).not.toContain('    at ');
  const resume = /\n {2}(npx mlops run .* --resume \S+ .*)\n/.exec(first.stdout);
  expect(resume).not.toBeNull();
  const second = await runMlops([...resume![1].split(' ').slice(2)], { env: { OUTPUT_KB: '64' } });
  expect(second.code).toBe(0);
  const runDir = path.join(runsDir, fs.readdirSync(runsDir)[0]);
  const attempts = (step: string) => JSON.parse(fs.readFileSync(path.join(runDir, 'steps', step, 'state.json'), 'utf8')).attempts;
  expect([attempts('a'), attempts('big'), attempts('c')]).toEqual([1, 2, 1]);
  fs.rmSync(runsDir, { recursive: true });
});

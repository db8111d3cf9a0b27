import { PlainReporter, RunReport, RunStatus, TaskState, TtyReporter, formatSummary } from '../../lib/local';

function stream(columns = 80) {
  let text = '';
  return { write: (t: string) => (text += t), columns, text: () => text };
}

const report = (status: RunStatus, extra: Partial<RunReport> = {}): RunReport => ({
  runId: 'r1',
  pipeline: 'p',
  status,
  parameters: {},
  runDir: '/tmp/runs/r1',
  startedAt: '2026-01-01T00:00:00Z',
  durationMs: 1500,
  resumes: 0,
  warnings: [],
  steps: [
    { name: 'a', kind: 'script', state: TaskState.SUCCEEDED, attempts: 1, cached: false, logs: [] },
    { name: 'b', kind: 'script', state: TaskState.CACHED, attempts: 0, cached: true, logs: [] },
  ],
  ...extra,
});

test('the terminal reporter keeps one line per step and redraws them in place', () => {
  const out = stream();
  const r = new TtyReporter(out, 60_000);
  r.runStarted({ runId: 'r1', pipeline: 'p', runDir: '/tmp/runs/r1', resumed: false, warnings: [], steps: [
    { name: 'extract', kind: 'script', depth: 0, state: TaskState.PENDING },
    { name: 'register', kind: 'register-model', depth: 1, state: TaskState.PENDING },
  ] });
  r.stepChanged({ name: 'extract', kind: 'script', depth: 0, state: TaskState.RUNNING, startedAtMs: Date.now() });
  r.stepOutput('extract', 'wrote 150 rows');
  r.stepChanged({ name: 'extract', kind: 'script', depth: 0, state: TaskState.SUCCEEDED, durationMs: 1234 });
  r.runFinished(report(RunStatus.SUCCEEDED));
  const text = out.text();
  expect(text).toContain('Starting run r1 of pipeline \'p\' in /tmp/runs/r1\n');
  // Each redraw moves up over the two step lines and clears them.
  expect(text.match(/\x1b\[2A\x1b\[0J/g)!.length).toBeGreaterThanOrEqual(2);
  expect(text).toMatch(/✓.* extract {5}succeeded {4}1\.2s/);
  expect(text).toMatch(/·.* {3}register {2}waiting/); // indented: inside a branch
  expect(text).toContain('\x1b[?25l');
  expect(text).toContain('\x1b[?25h');
  expect(text).toContain('Run r1 succeeded in 1.5s: 1 ran, 1 from cache, 0 skipped.');
  // No line is wider than the terminal.
  for (const line of text.split('\n')) {
    expect(line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').length).toBeLessThanOrEqual(80);
  }
});

test('the plain reporter prints state changes once and every line a step prints', () => {
  const out = stream();
  const r = new PlainReporter(out);
  r.runStarted({ runId: 'r1', pipeline: 'p', runDir: '/tmp/runs/r1', resumed: true, warnings: ["step 'x' asks for 1 GPU(s)"], steps: [] });
  r.stepChanged({ name: 'a', kind: 'script', depth: 0, state: TaskState.RUNNING });
  r.stepChanged({ name: 'a', kind: 'script', depth: 0, state: TaskState.RUNNING });
  r.stepOutput('a', 'hello');
  r.stepOutput('each', 'hi', 'x');
  r.stepChanged({ name: 'a', kind: 'script', depth: 0, state: TaskState.FAILED, detail: 'exited with code 2' });
  const lines = out.text().trim().split('\n');
  expect(lines[0]).toBe("Resuming run r1 of pipeline 'p' in /tmp/runs/r1");
  expect(lines[1]).toBe("warning: step 'x' asks for 1 GPU(s)");
  expect(lines.filter((l) => l.endsWith('a: running'))).toHaveLength(1);
  expect(lines).toContain('a | hello');
  expect(lines).toContain('each[x] | hi');
  expect(lines[lines.length - 1]).toMatch(/^\[\s*\d+ms\] a: failed \(exited with code 2\)$/);
});

test('the summary of a failed run names the error and shows each failed step\'s last lines', () => {
  const text = formatSummary(report(RunStatus.FAILED, {
    error: "step 'a' exited with code 2",
    steps: [{ name: 'a', kind: 'script', state: TaskState.FAILED, attempts: 1, cached: false, logs: ['/tmp/runs/r1/steps/a/logs/attempt-1.log'], logTail: ['boom'] }],
  }));
  expect(text).toBe([
    "Run r1 failed in 1.5s: step 'a' exited with code 2",
    '  last lines of a (/tmp/runs/r1/steps/a/logs/attempt-1.log):',
    '    | boom',
    '  run directory: /tmp/runs/r1',
    '',
  ].join('\n'));
});

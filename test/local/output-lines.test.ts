import * as fs from 'fs';
import * as path from 'path';
import { Pipeline, Step } from '../../lib';
import { RunReporter, runLocally, RunStatus } from '../../lib/local';
import { fixtureCode as code, stateDirs, tempDir } from '../support/local/fixtures';

class LineReporter implements RunReporter {
  public readonly lines: string[] = [];
  public notice(): void {}
  public runStarted(): void {}
  public stepChanged(): void {}
  public runFinished(): void {}
  public stepOutput(step: string, line: string): void {
    this.lines.push(`${step} | ${line}`);
  }
}

test("a path a step prints in its attempt's directory is shown as the result directory it becomes", async () => {
  const tmp = tempDir('lines');
  try {
    const p = new Pipeline('lines');
    p.addStep(Step.script('write', { code, entry: 'print-output-path.sh', outputs: ['data'] }));
    const reporter = new LineReporter();
    const report = await runLocally(p, { ...stateDirs(tmp.dir), reporter });
    expect(report.status).toBe(RunStatus.SUCCEEDED);
    const file = path.join(report.steps[0].outputs!.data, 'data.txt');
    expect(fs.readFileSync(file, 'utf8')).toBe('rows\n');
    expect(reporter.lines).toEqual([`write | wrote ${file}`]);
  } finally {
    tmp.cleanup();
  }
});

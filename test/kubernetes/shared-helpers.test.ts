import * as fs from 'fs';
import * as path from 'path';
import { cronSchedule, ETCD_OBJECT_LIMIT, formatBytes, imageOptionProblems, isImageReference, sizeProblem } from '../../lib/kubernetes';
import { RateUnit, Schedule } from '../../lib/pipeline';

describe('cron schedules for robfig/cron (Argo CronWorkflows, Kubernetes CronJobs, KFP)', () => {
  test('rates, names and day-of-week 7', () => {
    expect(cronSchedule(Schedule.rate(15, RateUnit.MINUTES)).schedule).toBe('*/15 * * * *');
    expect(cronSchedule(Schedule.rate(5, RateUnit.HOURS)).schedule).toBe('@every 5h');
    expect(cronSchedule(Schedule.cron('0 0 * JUL THU')).schedule).toBe('0 0 * JUL THU');
    expect(cronSchedule(Schedule.cron('0 0 * * 5-7')).schedule).toBe('0 0 * * 0,5,6');
  });

  test("what robfig/cron cannot read names the parser it was given (Argo's by default)", () => {
    expect(cronSchedule(Schedule.cron('0 0 L * *'))).toEqual({
      problem: "schedule cron(0 0 L * *) uses 'L' (last day), which Argo Workflows' cron parser (robfig/cron) does not support; write it with plain fields, lists and ranges, e.g. '0 3 28-31 * *' plus a check in the first step",
    });
    expect(cronSchedule(Schedule.cron('0 0 * * 1#2'), 'the Kubernetes CronJob cron parser').problem).toContain("'#' (nth weekday of the month), which the Kubernetes CronJob cron parser (robfig/cron) does not support");
  });
});

describe('object size limits', () => {
  test('sizes in MiB with bytes, and a problem only over the limit', () => {
    expect(formatBytes(2 * 1024 * 1024)).toBe('2.00 MiB (2097152 bytes)');
    expect(formatBytes(512)).toBe('512 bytes');
    expect(sizeProblem('ConfigMap x', { a: 'small' }, ETCD_OBJECT_LIMIT, 'shrink it')).toBeUndefined();
    expect(sizeProblem('ConfigMap x', { a: 'x'.repeat(2000) }, 1024, 'shrink it')).toBe('ConfigMap x is 2008 bytes, over the 1024 bytes Kubernetes (etcd) object size limit; shrink it');
  });
});

describe('image options', () => {
  test('unset is fine; blank, spaced or non-text references are problems naming the option', () => {
    expect(isImageReference('python:3.12-slim')).toBe(true);
    expect(imageOptionProblems('Kubeflow option', { defaultImage: undefined, utilityImage: 'python:3.12-slim' })).toEqual([]);
    expect(imageOptionProblems('Argo option', { defaultImage: ' ', utilityImage: 42 })).toEqual([
      "Argo option defaultImage ' ' is not an image reference; give e.g. 'python:3.12-slim' or omit it",
      "Argo option utilityImage 42 is not an image reference; give e.g. 'python:3.12-slim' or omit it",
    ]);
  });
});

test('nothing about Kubeflow imports the Argo compiler: shared Kubernetes helpers come from lib/kubernetes', () => {
  const root = path.join(__dirname, '..', '..');
  const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const kubeflow = [
    ...files(path.join(root, 'lib', 'compile', 'kubeflow')),
    ...files(path.join(root, 'constructs', 'k8s')).filter((f) => /kubeflow|kfp|^ml-pipeline|^run-job/.test(path.basename(f))),
  ].filter((f) => f.endsWith('.ts'));
  expect(kubeflow.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['kubeflow-engine.ts', 'ml-pipeline.ts', 'run-job.ts']));
  const importers = kubeflow.filter((f) => /from '(\.\.\/)+(lib\/compile\/)?argo/.test(fs.readFileSync(f, 'utf8')));
  expect(importers.map((f) => path.relative(root, f))).toEqual([]);
});

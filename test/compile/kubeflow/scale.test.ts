import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generatedPipeline } from '../../../bench/support';
import { Pipeline, Step } from '../../../lib';
import { KubeflowDocument } from '../../../lib/compile/kubeflow';
import { ETCD_OBJECT_LIMIT } from '../../../lib/kubernetes';
import { packageCode } from '../../../lib/runtime';
import { FIXTURE_CODE as code } from '../../conformance/features';
import { compileForTest, runExecutor, validateKubeflowDocument } from '../../support/kubeflow';

type Json = { [key: string]: any };
const MIB = 1024 * 1024;
const bytes = (o: unknown) => Buffer.byteLength(JSON.stringify(o));
const executors = (doc: KubeflowDocument): string[] => Object.keys(doc.pipelineSpec.deploymentSpec.executors);
/** Every task of the document, in the root DAG and in the condition branches' DAGs. */
const allTasks = (doc: KubeflowDocument): Json[] => [
  ...Object.values<Json>(doc.pipelineSpec.root.dag.tasks),
  ...Object.values<Json>(doc.pipelineSpec.components).flatMap((c) => Object.values<Json>(c.dag?.tasks ?? {})),
];
const constant = (task: Json, name: string) => task.inputs?.parameters?.[name]?.runtimeValue?.constant;

describe('a generated pipeline of 10 step shapes (bench/support.ts, variants: 4, every step cached)', () => {
  const doc = compileForTest(generatedPipeline(2000, { cache: true, variants: 4 }));

  test('2,000 steps compile to an IR under the etcd limit that the KFP protos and IR checks accept', () => {
    expect(bytes(doc)).toBeLessThan(ETCD_OBJECT_LIMIT);
    expect(validateKubeflowDocument(doc)).toEqual([]);
  });

  test('one component and executor per shape: 10, named after the first step of each', () => {
    expect(executors(doc)).toEqual(['exec-fail9', 'exec-s0-0', 'exec-s0-1', 'exec-s0-2', 'exec-s0-3', 'exec-s1-0', 'exec-s1-1', 'exec-s1-2', 'exec-s1-3', 'exec-then9']);
    expect(Object.keys(doc.platformSpec!.platforms.kubernetes.deploymentSpec.executors)).toEqual(executors(doc));
    const containerTasks = allTasks(doc).filter((t) => t.componentRef.name.startsWith('comp-s') || t.componentRef.name.startsWith('comp-then'));
    for (const task of containerTasks) {
      expect(constant(task, 'mlops-step')).toBe(task.taskInfo.name);
    }
  });

  test("1,000 steps fit in 1 MiB and under the 0.83 MB of the KFP SDK's IR at 1,000 steps (issue 8's reference)", () => {
    expect(bytes(compileForTest(generatedPipeline(1000, { cache: true, variants: 4 })))).toBeLessThan(Math.min(MIB, 0.83e6));
  });
});

describe('a shared executor, run through the real launcher as KFP runs it', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfp-shared-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('each task of one shape gets its own step name from its inputs, and KFP caches them apart', () => {
    const p = new Pipeline('shared');
    p.addStep(Step.script('first', { code, entry: 'noop.py', outputs: ['out'] }), Step.script('second', { code, entry: 'noop.py', outputs: ['out'] }));
    const doc = compileForTest(p);
    expect(executors(doc)).toEqual(['exec-first']);
    const tasks = doc.pipelineSpec.root.dag.tasks;
    expect(tasks.second.componentRef).toEqual({ name: 'comp-first' });
    // KFP's cache key covers the task's input parameters: the name keeps the two tasks apart.
    expect(tasks.second.inputs.parameters['mlops-step']).toEqual({ runtimeValue: { constant: 'second' } });
    for (const name of ['first', 'second']) {
      const task = tasks[name];
      const parameters = Object.fromEntries(Object.entries<Json>(task.inputs.parameters).map(([k, v]) => [k, v.runtimeValue.constant]));
      const root = path.join(dir, name);
      const run = runExecutor(doc, 'exec-first', { root, codeZip: packageCode(code), parameters, runId: 'run-1' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(fs.readFileSync(path.join(run.outputArtifacts.out, 'done.txt'), 'utf8')).toBe(`${name}\n`);
    }
  });
});

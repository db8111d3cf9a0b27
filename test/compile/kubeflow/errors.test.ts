import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CachePolicy, Code, Condition, Pipeline, PipelineValidationError, RetryPolicy, Step, Value } from '../../../lib';
import { compileKubeflow, KubeflowCompileOptions } from '../../../lib/compile/kubeflow';
import { FIXTURE_CODE } from '../../conformance/features';
import { compileForTest, TEST_OPTIONS } from '../../support/kubeflow';

const code = FIXTURE_CODE;
const entry = 'noop.py';

/** The problems of one failed compilation; fails the test when it compiles. */
function problemsOf(pipeline: Pipeline, options: Partial<KubeflowCompileOptions> = {}): string[] {
  try {
    compileForTest(pipeline, options);
  } catch (e) {
    expect(e).toBeInstanceOf(PipelineValidationError);
    expect((e as Error).message).toMatch(new RegExp(`^Pipeline '${pipeline.name}' on Kubeflow Pipelines:`));
    return (e as PipelineValidationError).problems;
  }
  throw new Error(`expected '${pipeline.name}' not to compile for Kubeflow`);
}

function pipelineOf(name: string, ...steps: Step[]): Pipeline {
  const p = new Pipeline(name);
  p.addStep(...steps);
  return p;
}

describe('a step without an image says which runtime the image needs', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfp-sh-'));
    fs.writeFileSync(path.join(dir, 'run.sh'), 'echo hi\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('.py entry: python3', () => {
    expect(problemsOf(pipelineOf('no-image', Step.script('prep', { code, entry })), { defaultImage: undefined })).toEqual([
      "step 'prep': has no image, and Kubeflow Pipelines runs every container step in one; set image on the step, or defaultImage in the Kubeflow options, to an image with python3 (the step launcher and the .py entry 'noop.py' run with it), e.g. 'python:3.11-slim'",
    ]);
  });

  test('.sh entry: python3 for the launcher and sh for the script', () => {
    const problems = problemsOf(pipelineOf('no-image-sh', Step.script('shell', { code: Code.fromDirectory(dir), entry: 'run.sh' })), { defaultImage: undefined });
    expect(problems).toEqual([expect.stringContaining("an image with python3 (for the step launcher) and sh (for the .sh entry 'run.sh')")]);
  });

  test('a step image is enough without a default', () => {
    const doc = compileForTest(pipelineOf('own-image', Step.script('prep', { code, entry, image: 'ghcr.io/acme/prep:1.0' })), { defaultImage: undefined });
    expect(doc.pipelineSpec.deploymentSpec.executors['exec-prep'].container.image).toBe('ghcr.io/acme/prep:1.0');
  });

  test('fail and register-model steps need a utility image with sh', () => {
    const fit = Step.training('fit', { code, entry, image: 'trainer:1' });
    const problems = problemsOf(
      pipelineOf('no-utility', fit, Step.registerModel('register', { model: fit.model(), group: 'g' }), Step.fail('stop', { message: 'no' })),
      { defaultImage: undefined },
    );
    expect(problems).toEqual([
      "step 'register': on Kubeflow Pipelines register-model steps copy the model with sh and cp, but neither utilityImage nor defaultImage is set in the Kubeflow options; set one to an image that has sh, e.g. 'python:3.11-slim'",
      "step 'stop': on Kubeflow Pipelines fail steps print the message and exit with sh, but neither utilityImage nor defaultImage is set in the Kubeflow options; set one to an image that has sh, e.g. 'python:3.11-slim'",
    ]);
    const doc = compileForTest(pipelineOf('utility', Step.fail('stop', { message: 'no' })), { defaultImage: undefined, utilityImage: 'busybox:1.36' });
    expect(doc.pipelineSpec.deploymentSpec.executors['exec-stop'].container.image).toBe('busybox:1.36');
  });
});

test('a GPU step without a node selector when GPU node selection is required', () => {
  const p = pipelineOf('gpu-unselected', Step.training('fit', { code, entry, resources: { gpu: 2 } }), Step.script('cpu', { code, entry }));
  expect(problemsOf(p, { gpu: { requireNodeSelection: true } })).toEqual([
    "step 'fit': requests 2 GPUs, and the Kubeflow options require GPU node selection (gpu.requireNodeSelection) but set no gpu.nodeSelector; set gpu.nodeSelector to the labels of your GPU nodes, e.g. { 'nvidia.com/gpu.present': 'true' }",
  ]);
  expect(() => compileForTest(p, { gpu: { requireNodeSelection: true, nodeSelector: { 'nvidia.com/gpu.present': 'true' } } })).not.toThrow();
});

test('cache expiry cannot be expressed', () => {
  const p = pipelineOf('expiry', Step.script('cached', { code, entry, cache: CachePolicy.enabled({ expireAfterHours: 24 }) }));
  expect(problemsOf(p)).toEqual([
    "step 'cached': cache expiry (expireAfterHours: 24) cannot be expressed on Kubeflow Pipelines: KFP v2 caching has no expiry (a task's cachingOptions hold only enableCache and cacheKey); remove expireAfterHours to cache without expiry, or disable caching for this step",
  ]);
});

test('retry waits that Argo cannot express: fractional seconds and a fractional backoff rate', () => {
  const p = pipelineOf('retries', Step.script('flaky', { code, entry, retry: RetryPolicy.of({ maxRetries: 2, intervalSeconds: 0.5, backoffRate: 1.5 }) }));
  expect(problemsOf(p)).toEqual([
    "step 'flaky': retry intervalSeconds 0.5 cannot be expressed on Kubeflow Pipelines, which passes retry backoff to Argo in whole seconds; use a whole number of seconds",
    "step 'flaky': retry backoffRate 1.5 cannot be expressed on Kubeflow Pipelines, which retries through Argo, whose backoff factor is a whole number; use a whole backoffRate such as 1 or 2",
  ]);
  const none = pipelineOf('no-retries', Step.script('once', { code, entry, retry: RetryPolicy.none() }));
  expect(compileForTest(none).pipelineSpec.root.dag.tasks.once.retryPolicy).toBeUndefined();
});

describe('names KFP or Argo would reject', () => {
  test('a task name must start with a letter or digit', () => {
    expect(problemsOf(pipelineOf('leading', Step.script('_prep', { code, entry })))).toEqual([
      "step '_prep': its Kubeflow task name '-prep' (the step name in lower case, '_' as '-') must start with a letter or digit, as Argo requires of the task names KFP derives; rename the step, e.g. 'prep'",
    ]);
  });

  test('step names that become the same task name', () => {
    const problems = problemsOf(pipelineOf('clash', Step.script('Train', { code, entry }), Step.script('train', { code, entry }), Step.script('a_b', { code, entry }), Step.script('a-b', { code, entry })));
    expect(problems).toEqual(expect.arrayContaining([
      "steps 'Train' and 'train' both get the Kubeflow task name 'train' (step names in lower case, '_' as '-'); rename one",
      "steps 'a_b' and 'a-b' both get the Kubeflow task name 'a-b' (step names in lower case, '_' as '-'); rename one",
    ]));
  });

  test('a step named like a component the compiler derives for a condition', () => {
    const p = pipelineOf('derived', Step.condition('gate', { when: Condition.eq(Value.string('a'), Value.string('a')), then: [Step.script('gate-then', { code, entry })] }));
    expect(problemsOf(p)).toEqual([
      "KFP component or Argo template name 'comp-gate-then' is not unique: steps 'gate' and 'gate-then' both need it; rename one of them",
    ]);
  });

  test("a step named like another step's Argo driver task", () => {
    expect(problemsOf(pipelineOf('drivers', Step.script('a', { code, entry }), Step.script('a-driver', { code, entry })))).toEqual([
      "steps 'a' and 'a-driver' both need the Argo task 'a-driver' in the same DAG (KFP adds a '<task>-driver' task beside each task); rename one",
    ]);
  });

  test("a forEach step name too long for the Argo templates KFP derives", () => {
    const name = `fan-${'x'.repeat(56)}`;
    const problems = problemsOf(pipelineOf('long', Step.script(name, { code, entry, forEach: ['a'] })));
    expect(problems).toEqual([
      `step '${name}': KFP derives the Argo template name 'comp-${name}-for-each-${name}-iterator' (144 chars) from it, over Argo's limit of 128; shorten the step name by 16 chars or more`,
    ]);
  });

  test('a pipeline name KFP does not accept', () => {
    expect(problemsOf(pipelineOf(`p${'x'.repeat(128)}`, Step.script('s', { code, entry })))).toEqual(expect.arrayContaining([
      expect.stringMatching(/^the pipeline name in lower case, 'px+' is not a valid KFP pipeline name \(allowed: lower-case letters, digits and '-', starting with a letter or digit, at most 128 chars\); shorten the pipeline name or set the Kubeflow option pipelineName$/),
    ]));
    const ok = pipelineOf('Named', Step.script('s', { code, entry }));
    expect(problemsOf(ok, { pipelineName: 'Bad Name' })).toEqual([
      "Kubeflow option pipelineName 'Bad Name' is not a valid KFP pipeline name (allowed: lower-case letters, digits and '-', starting with a letter or digit, at most 128 chars); fix pipelineName",
    ]);
    expect(compileForTest(ok).pipelineSpec.pipelineInfo).toEqual({ name: 'named', displayName: 'Named' });
    expect(compileForTest(ok, { pipelineName: 'team-a-named' }).pipelineSpec.pipelineInfo.name).toBe('team-a-named');
  });

  test('a code ConfigMap name that cannot be a pod volume name', () => {
    const p = pipelineOf('configmap', Step.script('s', { code, entry }));
    expect(problemsOf(p, { codeConfigMapName: () => 'Code_Steps' })).toEqual([
      expect.stringMatching(/^step 's': codeConfigMapName gave 'Code_Steps' for its code \(.*steps\), which cannot name the code ConfigMap: KFP also uses it as the pod volume name, a DNS-1123 label/),
    ]);
  });
});

test("text that KFP would read as a placeholder: arguments, env, literal params, fail messages", () => {
  const p = pipelineOf('placeholders',
    Step.script('s', { code, entry, arguments: ['--x={{$.inputs.parameters[\'y\']}}'], env: { A: '{{$}}' }, params: { p: Value.string('{{$.pipeline_job_name}}') } }),
    Step.fail('f', { message: 'bad {{$.x}}' }));
  expect(problemsOf(p)).toEqual([
    "step 's': argument '--x={{$.inputs.parameters['y']}}' contains '{{$', which Kubeflow Pipelines reads as a placeholder and replaces at run time; remove it, or ship the text in a file with the step's code",
    "step 's': env A='{{$}}' contains '{{$', which Kubeflow Pipelines reads as a placeholder and replaces at run time; remove it, or ship the text in a file with the step's code",
    "step 's': literal '{{$.pipeline_job_name}}' contains '{{$', which Kubeflow Pipelines reads as a placeholder and replaces at run time; remove it, or ship the text in a file with the step's code",
    "step 'f': message 'bad {{$.x}}' contains '{{$', which Kubeflow Pipelines reads as a placeholder and replaces at run time; remove it, or ship the text in a file with the step's code",
  ]);
});

test('invalid options are named', () => {
  const p = pipelineOf('options', Step.script('s', { code, entry }));
  expect(problemsOf(p, {
    defaultImage: 'python 3',
    pipelineRoot: 'file:///tmp/artifacts',
    runAsUser: 0,
    gpu: { resourceName: 'gpu', nodeSelector: { 'bad key!': 'x' }, tolerations: [{ key: 'k', operator: 'In', effect: 'Never' }, { key: 'k', operator: 'Exists', value: 'v' }] },
  })).toEqual([
    "Kubeflow option defaultImage 'python 3' is not an image reference; give e.g. 'python:3.12-slim' or omit it",
    "Kubeflow option pipelineRoot 'file:///tmp/artifacts' is not an object-store URI KFP can write to (allowed: s3://, gs:// or minio:// and a bucket, e.g. 's3://ml-artifacts/pipelines')",
    'Kubeflow option runAsUser 0 is invalid (allowed: a whole number >= 1; step containers never run as root)',
    "Kubeflow option gpu.resourceName 'gpu' is not an extended resource name (allowed: <domain>/<name>, e.g. 'nvidia.com/gpu' or 'amd.com/gpu')",
    "Kubeflow option gpu.nodeSelector entry 'bad key!': 'x' is not a valid Kubernetes label selector (keys: [prefix/]name, values: up to 63 letters, digits, '-', '_' or '.')",
    "Kubeflow option gpu.tolerations[0].operator 'In' is invalid (allowed: Exists, Equal)",
    "Kubeflow option gpu.tolerations[0].effect 'Never' is invalid (allowed: NoSchedule, PreferNoSchedule, NoExecute, or empty for all)",
    'Kubeflow option gpu.tolerations[1] has operator Exists and a value; Exists matches any value, so remove the value or use Equal',
  ]);
});

test('every problem of a pipeline comes in one error', () => {
  const p = pipelineOf('many',
    Step.script('_a', { code, entry, cache: CachePolicy.enabled({ expireAfterHours: 1 }) }),
    Step.fail('f', { message: 'x' }));
  const problems = problemsOf(p, { defaultImage: undefined });
  expect(problems).toHaveLength(4);
  expect(problems.map((m) => /^step '(\w+)'/.exec(m)?.[1])).toEqual(['_a', '_a', 'f', '_a']);
});

test('model errors come first, from the model itself', () => {
  const p = pipelineOf('invalid-model', Step.script('a', { code, entry, dependsOn: [Step.script('ghost', { code, entry })] }));
  expect(() => compileKubeflow(p, TEST_OPTIONS)).toThrow(/^Pipeline 'invalid-model': step 'a': depends on step 'ghost', which is not in the pipeline/);
});

import { Condition, Parameter, Pipeline, Step, Value } from '../../../lib';
import { KubeflowDocument } from '../../../lib/compile/kubeflow';
import { FEATURES, FIXTURE_CODE } from '../../conformance/features';
import { compileForTest, evaluateTrigger, validateKubeflowDocument } from '../../support/kubeflow';

const EXPRESSIBLE = FEATURES.filter((f) => f.id !== 'cache-expiry');
const docs: { [id: string]: KubeflowDocument } = Object.fromEntries(EXPRESSIBLE.map((f) => [f.id, compileForTest(f.build())]));
const code = FIXTURE_CODE;
const entry = 'noop.py';

const tasksOf = (id: string) => docs[id].pipelineSpec.root.dag.tasks;
const component = (id: string, name: string) => docs[id].pipelineSpec.components[name];
const container = (id: string, label: string) => docs[id].pipelineSpec.deploymentSpec.executors[label].container;
const k8s = (doc: KubeflowDocument, label: string) => doc.platformSpec!.platforms.kubernetes.deploymentSpec.executors[label];
const envArgs = (args: string[]) => args.filter((_, i) => args[i - 1] === '--env');

describe('every expressible feature compiles to valid KFP IR', () => {
  test.each(EXPRESSIBLE.map((f) => f.id))('%s', (id) => {
    expect(validateKubeflowDocument(docs[id])).toEqual([]);
  });
});

test('script steps pass output directories as artifacts', () => {
  const consume = tasksOf('script-steps-and-artifacts').consume;
  expect(consume.inputs.artifacts.data).toEqual({ taskOutputArtifact: { producerTask: 'produce', outputArtifactKey: 'data' } });
  expect(consume.dependentTasks).toEqual(['produce']);
  expect(envArgs(container('script-steps-and-artifacts', 'exec-consume').args)).toEqual(expect.arrayContaining([
    "MLOPS_INPUT_DATA={{$.inputs.artifacts['data'].path}}",
    "MLOPS_OUTPUT_RESULT={{$.outputs.artifacts['result'].path}}",
  ]));
});

test('a training step writes a system.Model that a later step reads', () => {
  expect(component('training-step-model', 'comp-fit').outputDefinitions.artifacts.model.artifactType).toEqual({ schemaTitle: 'system.Model', schemaVersion: '0.0.1' });
  expect(component('training-step-model', 'comp-score').inputDefinitions.artifacts.model.artifactType.schemaTitle).toBe('system.Model');
  expect(tasksOf('training-step-model').score.inputs.artifacts.model).toEqual({ taskOutputArtifact: { producerTask: 'fit', outputArtifactKey: 'model' } });
});

test('typed parameters: root inputs with types, defaults and literals; step params bound, literals as launcher text', () => {
  const spec = docs['typed-parameters'].pipelineSpec;
  expect(spec.root.inputDefinitions.parameters).toEqual({
    region: { parameterType: 'STRING', defaultValue: 'eu', isOptional: true, literals: ['eu', 'us'] },
    epochs: { parameterType: 'NUMBER_INTEGER', defaultValue: 3, isOptional: true },
    rate: { parameterType: 'NUMBER_DOUBLE', defaultValue: 0.1, isOptional: true },
    verbose: { parameterType: 'BOOLEAN', defaultValue: false, isOptional: true },
  });
  expect(tasksOf('typed-parameters').use.inputs.parameters).toEqual({
    'epochs': { componentInputParameter: 'epochs' },
    'mlops-code': { runtimeValue: { constant: 'code-steps' } },
    'mlops-step': { runtimeValue: { constant: 'use' } },
    'rate': { componentInputParameter: 'rate' },
    'region': { componentInputParameter: 'region' },
    'verbose': { componentInputParameter: 'verbose' },
  });
  expect(component('typed-parameters', 'comp-use').inputDefinitions.parameters).toEqual({
    'epochs': { parameterType: 'NUMBER_INTEGER' },
    'mlops-code': { parameterType: 'STRING' },
    'mlops-step': { parameterType: 'STRING' },
    'rate': { parameterType: 'NUMBER_DOUBLE' },
    'region': { parameterType: 'STRING' },
    'verbose': { parameterType: 'BOOLEAN' },
  });
  expect(envArgs(container('typed-parameters', 'exec-use').args)).toEqual(expect.arrayContaining([
    "MLOPS_PARAM_EPOCHS={{$.inputs.parameters['epochs']}}",
    'MLOPS_PARAM_FIXED=literal',
    "MLOPS_PARAM_VERBOSE={{$.inputs.parameters['verbose']}}",
  ]));
});

test('a parameter without a default is required', () => {
  const p = new Pipeline('required');
  p.addParameter('region', Parameter.string());
  p.addStep(Step.script('use', { code, entry, params: { region: p.parameter('region') } }));
  const doc = compileForTest(p);
  expect(doc.pipelineSpec.root.inputDefinitions.parameters.region).toEqual({ parameterType: 'STRING' });
  expect(validateKubeflowDocument(doc)).toEqual([]);
});

test('condition on a metric: a wrapper DAG with then/otherwise tasks whose triggers are complementary', () => {
  const gate = tasksOf('condition-metric-threshold').gate;
  expect(gate.inputs.parameters['pipelinechannel--evaluate-score']).toEqual({ taskOutputParameter: { producerTask: 'evaluate', outputParameterKey: 'score' } });
  const tasks = component('condition-metric-threshold', 'comp-gate').dag.tasks;
  expect(Object.keys(tasks).sort()).toEqual(['gate-otherwise', 'gate-then']);
  expect(Object.keys(component('condition-metric-threshold', 'comp-gate-then').dag.tasks)).toEqual(['ship']);
  expect(Object.keys(component('condition-metric-threshold', 'comp-gate-otherwise').dag.tasks)).toEqual(['stop']);
  for (const score of [0, 0.5, 0.9, 0.95, 1]) {
    const values = { 'pipelinechannel--evaluate-score': score, 'pipelinechannel--threshold': 0.9 };
    expect(evaluateTrigger(tasks['gate-then'].triggerPolicy.condition, values)).toBe(score >= 0.9);
    expect(evaluateTrigger(tasks['gate-otherwise'].triggerPolicy.condition, values)).toBe(score < 0.9);
  }
});

test('and / or / not / isIn / != over numeric and string metrics evaluate as the model means', () => {
  const then = component('condition-logic', 'comp-gate').dag.tasks['gate-then'];
  const cel = then.triggerPolicy.condition;
  expect(cel).toBe(
    "((double(inputs.parameter_values['pipelinechannel--evaluate-score']) > 0.5) || (!(double(inputs.parameter_values['pipelinechannel--evaluate-score']) < 0.1)))"
    + " && ((inputs.parameter_values['pipelinechannel--evaluate-label'] == 'good') || (inputs.parameter_values['pipelinechannel--evaluate-label'] == 'great'))"
    + " && (inputs.parameter_values['pipelinechannel--evaluate-label'] != 'bad')",
  );
  expect(Object.keys(then.inputs.parameters).sort()).toEqual(['pipelinechannel--evaluate-label', 'pipelinechannel--evaluate-score']);
  expect(component('condition-logic', 'comp-evaluate').outputDefinitions.parameters.label).toEqual({ parameterType: 'STRING' });
  for (const score of [0.05, 0.3, 0.7]) {
    for (const label of ['good', 'great', 'bad', 'meh']) {
      const expected = (score > 0.5 || !(score < 0.1)) && ['good', 'great'].includes(label) && label !== 'bad';
      expect(evaluateTrigger(cel, { 'pipelinechannel--evaluate-score': score, 'pipelinechannel--evaluate-label': label })).toBe(expected);
    }
  }
  expect(component('condition-logic', 'comp-gate').dag.tasks['gate-otherwise']).toBeUndefined();
});

test('a nested condition: the inner wrapper sits in the outer then-branch and gets the metric through it', () => {
  const outerThen = component('nested-condition', 'comp-outer-then');
  expect(Object.keys(outerThen.dag.tasks)).toEqual(['inner']);
  expect(outerThen.dag.tasks.inner.inputs.parameters).toEqual({ 'pipelinechannel--evaluate-score': { componentInputParameter: 'pipelinechannel--evaluate-score' } });
  expect(outerThen.inputDefinitions.parameters).toEqual({ 'pipelinechannel--evaluate-score': { parameterType: 'NUMBER_DOUBLE' } });
  const inner = component('nested-condition', 'comp-inner').dag.tasks;
  const outer = component('nested-condition', 'comp-outer').dag.tasks['outer-then'].triggerPolicy.condition;
  for (const score of [0.2, 0.7, 0.95]) {
    const v = { 'pipelinechannel--evaluate-score': score };
    const ranExcellent = evaluateTrigger(outer, v) && evaluateTrigger(inner['inner-then'].triggerPolicy.condition, v);
    const ranGood = evaluateTrigger(outer, v) && evaluateTrigger(inner['inner-otherwise'].triggerPolicy.condition, v);
    expect([ranExcellent, ranGood]).toEqual([score > 0.9, score > 0.5 && score <= 0.9]);
  }
});

test('register-model reads the trained model directly when both are at top level', () => {
  const register = tasksOf('register-model').register;
  expect(register.inputs.artifacts.model).toEqual({ taskOutputArtifact: { producerTask: 'fit', outputArtifactKey: 'model' } });
  expect(register.dependentTasks).toEqual(['fit']);
  expect(component('register-model', 'comp-register').outputDefinitions.artifacts.model.metadata).toMatchObject({ group: 'feature-models', approval: 'PendingManualApproval' });
});

test('a fail step is a task whose container exits 1 with the message', () => {
  expect(container('fail-step', 'exec-stop').args).toEqual(['mlops-fail', 'stopped on purpose']);
  expect(k8s(docs['fail-step'], 'exec-stop').configMapAsVolume).toBeUndefined();
});

test('dependsOn becomes dependentTasks without data', () => {
  expect(tasksOf('depends-on').second.dependentTasks).toEqual(['first']);
  expect(tasksOf('depends-on').second.inputs.artifacts).toBeUndefined();
});

test('retries with backoff', () => {
  expect(tasksOf('retry-backoff').flaky.retryPolicy).toEqual({ maxRetryCount: 3, backoffDuration: '5s', backoffFactor: 2, backoffMaxDuration: '2592000s' });
});

test('caching: enabled sets enableCache, disabled leaves empty caching options', () => {
  expect(tasksOf('cache').cached.cachingOptions).toEqual({ enableCache: true });
  expect(tasksOf('depends-on').first.cachingOptions).toEqual({});
});

test('cpu and memory become equal requests and limits', () => {
  expect(container('resources', 'exec-sized').resources).toEqual({
    resourceCpuRequest: '4', resourceCpuLimit: '4', resourceMemoryRequest: '16Gi', resourceMemoryLimit: '16Gi',
  });
});

test('fractional cpu and memory, and scratch disk as the /tmp emptyDir size', () => {
  const p = new Pipeline('fractions');
  p.addStep(Step.script('small', { code, entry, resources: { cpu: 0.5, memoryGiB: 0.75, diskGiB: 1.5 } }));
  const doc = compileForTest(p);
  expect(doc.pipelineSpec.deploymentSpec.executors['exec-small'].container.resources).toEqual({
    resourceCpuRequest: '500m', resourceCpuLimit: '500m', resourceMemoryRequest: '768Mi', resourceMemoryLimit: '768Mi',
  });
  expect(k8s(doc, 'exec-small').emptyDirMounts).toEqual([{ volumeName: 'mlops-tmp', mountPath: '/tmp', sizeLimit: '1536Mi' }]);
  expect(validateKubeflowDocument(doc)).toEqual([]);
});

test('GPUs: an accelerator in the container resources and a toleration for GPU nodes by default', () => {
  expect(container('gpu', 'exec-fit').resources.accelerator).toEqual({ resourceType: 'nvidia.com/gpu', resourceCount: '1' });
  expect(k8s(docs.gpu, 'exec-fit').tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  expect(k8s(docs.gpu, 'exec-fit').nodeSelector).toBeUndefined();
});

test('GPU options: resource name, node selector and tolerations, on GPU steps only', () => {
  const p = new Pipeline('gpus');
  p.addStep(
    Step.training('fit', { code, entry, resources: { gpu: 2 } }),
    Step.script('cpu-only', { code, entry, resources: { cpu: 1 } }),
  );
  const doc = compileForTest(p, {
    gpu: {
      resourceName: 'amd.com/gpu',
      nodeSelector: { 'node.kubernetes.io/instance-type': 'g5.xlarge' },
      tolerations: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }, { key: 'spot', operator: 'Exists', tolerationSeconds: 30 }],
      requireNodeSelection: true,
    },
  });
  expect(doc.pipelineSpec.deploymentSpec.executors['exec-fit'].container.resources.accelerator).toEqual({ resourceType: 'amd.com/gpu', resourceCount: '2' });
  expect(k8s(doc, 'exec-fit').nodeSelector).toEqual({ labels: { 'node.kubernetes.io/instance-type': 'g5.xlarge' } });
  expect(k8s(doc, 'exec-fit').tolerations).toEqual([
    { key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
    { key: 'spot', operator: 'Exists', tolerationSeconds: '30' },
  ]);
  expect(k8s(doc, 'exec-cpu-only').nodeSelector).toBeUndefined();
  expect(k8s(doc, 'exec-cpu-only').tolerations).toBeUndefined();
  expect(validateKubeflowDocument(doc)).toEqual([]);
});

test('fan-out: a ParallelFor over the raw items whose body passes the item as MLOPS_ITEM', () => {
  const each = tasksOf('fan-out').each;
  expect(each.componentRef.name).toBe('comp-each-for-each');
  expect(each.parameterIterator).toEqual({ itemInput: 'pipelinechannel--loop-item', items: { raw: '["a","b","c"]' } });
  const body = component('fan-out', 'comp-each-for-each');
  expect(body.inputDefinitions.parameters['pipelinechannel--loop-item']).toEqual({ parameterType: 'STRING' });
  expect(body.dag.tasks.each.inputs.parameters['mlops-item']).toEqual({ componentInputParameter: 'pipelinechannel--loop-item' });
  expect(envArgs(container('fan-out', 'exec-each').args)).toContain("MLOPS_ITEM={{$.inputs.parameters['mlops-item']}}");
  expect(tasksOf('fan-out').after.dependentTasks).toEqual(['each']);
});

test('a pipeline root sets where runs store artifacts', () => {
  const doc = compileForTest(FEATURES[0].build(), { pipelineRoot: 's3://ml-artifacts/pipelines' });
  expect(doc.pipelineSpec.defaultPipelineRoot).toBe('s3://ml-artifacts/pipelines');
  expect(validateKubeflowDocument(doc)).toEqual([]);
  expect(docs['script-steps-and-artifacts'].pipelineSpec.defaultPipelineRoot).toBeUndefined();
});

test('a timeout is the pod active deadline', () => {
  expect(k8s(docs.timeout, 'exec-bounded').activeDeadlineSeconds).toBe('600');
});

test('extra env and script arguments go through the launcher', () => {
  const args: string[] = container('env-and-arguments', 'exec-configured').args;
  expect(envArgs(args)).toContain('LOG_LEVEL=debug');
  expect(args.slice(-3)).toEqual(['--', '--mode', 'full']);
});

describe('values that come from outside a sub-DAG', () => {
  const p = new Pipeline('scopes', { parameters: { mode: Parameter.string('fast'), strict: Parameter.boolean(true) } });
  const prep = Step.script('prep', { code, entry, outputs: ['data'], metrics: ['rows'] });
  const audit = Step.script('audit', { code, entry });
  const inBranch = Step.script('in-branch', {
    code, entry, inputs: { data: prep.output('data') }, params: { mode: p.parameter('mode') }, dependsOn: [audit],
  });
  const perRegion = Step.script('per-region', { code, entry, forEach: ['eu', 'us'], inputs: { data: prep.output('data') }, params: { mode: p.parameter('mode') } });
  const gate = Step.condition('gate', {
    when: Condition.and(Condition.eq(p.parameter('strict'), Value.boolean(true)), Condition.ne(p.parameter('mode'), Value.string("it's slow"))),
    then: [inBranch, perRegion],
  });
  const report = Step.script('report', { code, entry, dependsOn: [gate] });
  p.addStep(prep, audit, gate, report);
  const doc = compileForTest(p);
  const spec = doc.pipelineSpec;

  test('the document is valid', () => {
    expect(validateKubeflowDocument(doc)).toEqual([]);
  });

  test('a branch step that waits for a top-level step makes the condition task wait for it', () => {
    expect(spec.root.dag.tasks.gate.dependentTasks).toEqual(['audit', 'prep']);
    expect(spec.components['comp-gate-then'].dag.tasks['in-branch'].dependentTasks).toBeUndefined();
  });

  test('artifacts and parameters reach branch and loop tasks through pipeline channels', () => {
    expect(spec.root.dag.tasks.gate.inputs).toEqual({
      artifacts: { 'pipelinechannel--prep-data': { taskOutputArtifact: { producerTask: 'prep', outputArtifactKey: 'data' } } },
      parameters: {
        'pipelinechannel--mode': { componentInputParameter: 'mode' },
        'pipelinechannel--strict': { componentInputParameter: 'strict' },
      },
    });
    const branch = spec.components['comp-gate-then'].dag.tasks;
    expect(branch['in-branch'].inputs.artifacts.data).toEqual({ componentInputArtifact: 'pipelinechannel--prep-data' });
    expect(branch['in-branch'].inputs.parameters.mode).toEqual({ componentInputParameter: 'pipelinechannel--mode' });
    expect(branch['per-region'].inputs.artifacts['pipelinechannel--prep-data']).toEqual({ componentInputArtifact: 'pipelinechannel--prep-data' });
    const loop = spec.components['comp-per-region-for-each'].dag.tasks['per-region'];
    expect(loop.inputs.artifacts.data).toEqual({ componentInputArtifact: 'pipelinechannel--prep-data' });
  });

  test('boolean and string comparisons, with quotes escaped in CEL', () => {
    const cel = spec.components['comp-gate'].dag.tasks['gate-then'].triggerPolicy.condition;
    expect(cel).toBe("(inputs.parameter_values['pipelinechannel--strict'] == true) && (inputs.parameter_values['pipelinechannel--mode'] != 'it\\'s slow')");
    expect(evaluateTrigger(cel, { 'pipelinechannel--strict': true, 'pipelinechannel--mode': 'fast' })).toBe(true);
    expect(evaluateTrigger(cel, { 'pipelinechannel--strict': true, 'pipelinechannel--mode': "it's slow" })).toBe(false);
    expect(evaluateTrigger(cel, { 'pipelinechannel--strict': false, 'pipelinechannel--mode': 'fast' })).toBe(false);
  });

  test('a step may wait for a whole condition, whichever branch runs', () => {
    expect(spec.root.dag.tasks.report.dependentTasks).toEqual(['gate']);
  });
});

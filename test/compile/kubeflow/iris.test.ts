import { irisPipeline } from '../../../examples/iris/pipeline';
import { compileForTest, evaluateTrigger, validateKubeflowDocument } from '../../support/kubeflow';

const doc = compileForTest(irisPipeline());
const spec = doc.pipelineSpec;
const root = spec.root.dag.tasks;
const executors = spec.deploymentSpec.executors;
const platform = doc.platformSpec!.platforms.kubernetes.deploymentSpec.executors;

test('the Iris IR matches its snapshot', () => {
  expect(doc).toMatchSnapshot();
});

test('the Iris IR is valid KFP IR (schema, canonical form, references)', () => {
  expect(validateKubeflowDocument(doc)).toEqual([]);
});

test('pipeline info and typed parameters with defaults', () => {
  expect(spec.pipelineInfo).toEqual({ name: 'iris', displayName: 'iris', description: 'Trains and registers an Iris species classifier' });
  expect(spec.schemaVersion).toBe('2.1.0');
  expect(spec.root.inputDefinitions.parameters).toEqual({
    minAccuracy: { parameterType: 'NUMBER_DOUBLE', defaultValue: 0.9, isOptional: true, description: 'Lowest test accuracy that gets the model registered' },
    nEstimators: { parameterType: 'NUMBER_INTEGER', defaultValue: 100, isOptional: true, description: 'Trees in the random forest' },
  });
});

test('steps become top-level tasks; branch steps sit in the condition DAG', () => {
  expect(Object.keys(root).sort()).toEqual(['accuracy-gate', 'clean', 'evaluate', 'extract', 'train']);
  expect(Object.keys(spec.components['comp-accuracy-gate'].dag.tasks).sort()).toEqual(['accuracy-gate-otherwise', 'accuracy-gate-then']);
  expect(Object.keys(spec.components['comp-accuracy-gate-then'].dag.tasks)).toEqual(['register']);
  expect(Object.keys(spec.components['comp-accuracy-gate-otherwise'].dag.tasks)).toEqual(['too-inaccurate']);
});

test('container steps run the launcher from the code ConfigMap with contract variables as placeholders', () => {
  const train = executors['exec-train'].container;
  expect(train.image).toBe('python:3.11-slim');
  expect(train.command).toEqual(['python3', '/mlops/code/code.zip']);
  expect(train.args.slice(0, 2)).toEqual(['--entry', 'train.py']);
  const envs = train.args.filter((_: string, i: number) => train.args[i - 1] === '--env');
  expect(envs).toEqual([
    'MLOPS_ENGINE=kubeflow',
    'MLOPS_PIPELINE=iris',
    "MLOPS_STEP={{$.inputs.parameters['mlops-step']}}",
    "MLOPS_INPUT_DATA={{$.inputs.artifacts['data'].path}}",
    "MLOPS_MODEL_DIR={{$.outputs.artifacts['model'].path}}",
    'MLOPS_METRICS_FILE=/tmp/mlops/metrics.json',
    "MLOPS_PARAM_NESTIMATORS={{$.inputs.parameters['nEstimators']}}",
  ]);
  expect(train.args.slice(-8)).toEqual([
    '--metric', 'trainAccuracy',
    '--metric-file', "trainAccuracy={{$.outputs.parameters['trainAccuracy'].output_file}}",
    '--kfp-executor-input', '{{$}}', '--kfp-metrics-artifact', 'mlops-metrics',
  ]);
  expect(spec.components['comp-train'].outputDefinitions.artifacts['mlops-metrics']).toEqual({ artifactType: { schemaTitle: 'system.Metrics', schemaVersion: '0.0.1' } });
  expect(train.resources).toEqual({ resourceCpuRequest: '2', resourceCpuLimit: '2', resourceMemoryRequest: '4Gi', resourceMemoryLimit: '4Gi' });
  expect(executors['exec-extract'].container.resources).toEqual({ resourceCpuRequest: '1', resourceCpuLimit: '1', resourceMemoryRequest: '2Gi', resourceMemoryLimit: '2Gi' });
});

test('the platform spec mounts the code, gives a writable /tmp, the run id and a non-root user', () => {
  expect(platform['exec-train']).toEqual({
    configMapAsVolume: [{ configMapName: 'code-steps', configMapNameParameter: { runtimeValue: { constant: 'code-steps' } }, mountPath: '/mlops/code' }],
    emptyDirMounts: [{ volumeName: 'mlops-tmp', mountPath: '/tmp' }],
    fieldPathAsEnv: [{ name: 'MLOPS_RUN_ID', fieldPath: "metadata.labels['pipeline/runid']" }],
    securityContext: { runAsUser: '1000', runAsGroup: '1000', runAsNonRoot: true },
  });
  expect(Object.keys(platform).sort()).toEqual(Object.keys(executors).sort());
});

test('outputs, models and metrics flow along data edges with dependentTasks', () => {
  expect(root.train.inputs.artifacts.data).toEqual({ taskOutputArtifact: { producerTask: 'clean', outputArtifactKey: 'train' } });
  expect(root.evaluate.inputs.artifacts).toEqual({
    model: { taskOutputArtifact: { producerTask: 'train', outputArtifactKey: 'model' } },
    test: { taskOutputArtifact: { producerTask: 'clean', outputArtifactKey: 'test' } },
  });
  expect(root.evaluate.dependentTasks).toEqual(['clean', 'train']);
  expect(root.train.inputs.parameters.nEstimators).toEqual({ componentInputParameter: 'nEstimators' });
  expect(spec.components['comp-train'].outputDefinitions.artifacts.model.artifactType.schemaTitle).toBe('system.Model');
  expect(spec.components['comp-evaluate'].outputDefinitions.parameters).toEqual({ accuracy: { parameterType: 'NUMBER_DOUBLE' }, f1Macro: { parameterType: 'NUMBER_DOUBLE' } });
});

test('the accuracy gate: metrics and parameters enter the condition DAG, branches trigger on CEL', () => {
  const gate = root['accuracy-gate'];
  expect(gate.dependentTasks).toEqual(['evaluate', 'train']);
  expect(gate.inputs.parameters).toEqual({
    'pipelinechannel--evaluate-accuracy': { taskOutputParameter: { producerTask: 'evaluate', outputParameterKey: 'accuracy' } },
    'pipelinechannel--minAccuracy': { componentInputParameter: 'minAccuracy' },
  });
  expect(gate.inputs.artifacts).toEqual({ 'pipelinechannel--train-model': { taskOutputArtifact: { producerTask: 'train', outputArtifactKey: 'model' } } });
  const tasks = spec.components['comp-accuracy-gate'].dag.tasks;
  const then = tasks['accuracy-gate-then'].triggerPolicy.condition;
  const otherwise = tasks['accuracy-gate-otherwise'].triggerPolicy.condition;
  expect(then).toBe("double(inputs.parameter_values['pipelinechannel--evaluate-accuracy']) >= double(inputs.parameter_values['pipelinechannel--minAccuracy'])");
  expect(otherwise).toBe(`!(${then})`);
  for (const [accuracy, registers] of [[0.95, true], [0.9, true], [0.85, false]] as const) {
    const values = { 'pipelinechannel--evaluate-accuracy': accuracy, 'pipelinechannel--minAccuracy': 0.9 };
    expect([evaluateTrigger(then, values), evaluateTrigger(otherwise, values)]).toEqual([registers, !registers]);
  }
});

test('register reads the model through the branch DAG and writes a versioned system.Model with metadata', () => {
  const register = spec.components['comp-accuracy-gate-then'].dag.tasks.register;
  expect(register.inputs.artifacts.model).toEqual({ componentInputArtifact: 'pipelinechannel--train-model' });
  expect(register.cachingOptions).toEqual({});
  const output = spec.components['comp-register'].outputDefinitions;
  expect(output.artifacts.model.artifactType.schemaTitle).toBe('system.Model');
  expect(output.artifacts.model.metadata).toMatchObject({ display_name: 'iris-classifier', group: 'iris-classifier', approval: 'Approved', contentTypes: ['text/csv'] });
  expect(output.parameters.version).toEqual({ parameterType: 'STRING' });
  expect(executors['exec-register'].container.command.slice(0, 2)).toEqual(['sh', '-c']);
});

test('the fail step exits non-zero with its message', () => {
  expect(executors['exec-too-inaccurate'].container).toEqual({
    image: 'python:3.11-slim',
    command: ['sh', '-c', 'printf \'%s\\n\' "$1" >&2; exit 1'],
    args: ['mlops-fail', 'Test accuracy is below minAccuracy; the model was not registered'],
  });
});

test('the pipeline default retry and cache policies reach every container task', () => {
  for (const task of ['extract', 'clean', 'train', 'evaluate']) {
    expect(root[task].retryPolicy).toEqual({ maxRetryCount: 1, backoffDuration: '5s', backoffFactor: 2, backoffMaxDuration: '2592000s' });
    expect(root[task].cachingOptions).toEqual({ enableCache: true });
  }
});

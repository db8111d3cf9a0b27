import { gatedDeployPipeline } from '../../../examples/katib-gated-deploy/pipeline';
import { Algorithm, Objective, Parameter, Pipeline, Range, RetryPolicy, Step } from '../../../lib';
import { compileKubeflow, KubeflowDocument } from '../../../lib/compile/kubeflow';
import { katibTuneProgram } from '../../../lib/kubernetes/katib-programs';
import { FIXTURE_CODE } from '../../conformance/features';
import { podSecurityProblems, resourceProblems, validateManifest } from '../../support/k8s';
import { TEST_OPTIONS, validateKubeflowDocument } from '../../support/kubeflow';
import { katibExperimentProblems } from '../../kubernetes/katib-schema';

/** A tuning step on Kubeflow Pipelines: a container task that runs the step's Katib Experiment. */

type Json = { [key: string]: any };

function compile(pipeline: Pipeline): KubeflowDocument {
  const doc = compileKubeflow(pipeline, { ...TEST_OPTIONS, podLabels: { 'mlops.cdk.io/pipeline': 'iris-tuned' } });
  expect(validateKubeflowDocument(doc)).toEqual([]);
  return doc;
}

function executorOf(doc: KubeflowDocument, task: string): Json {
  const component = doc.pipelineSpec.components[doc.pipelineSpec.root.dag.tasks[task].componentRef.name];
  return doc.pipelineSpec.deploymentSpec.executors[component.executorLabel];
}

function experimentOf(executor: Json): Json {
  const args: string[] = executor.container.args;
  return JSON.parse(args[args.indexOf('--experiment') + 1]);
}

test('the gated-deploy example: valid KFP IR, its Experiment valid Katib, its trial Job valid Kubernetes with restricted pods', () => {
  const doc = compile(gatedDeployPipeline());
  const executor = executorOf(doc, 'hpo');
  expect(executor.container.command).toEqual(['python3', '-c', katibTuneProgram()]);
  const experiment = experimentOf(executor);
  expect(katibExperimentProblems({ ...experiment, metadata: { ...experiment.metadata, name: 'hpo-12345678', namespace: 'ml' } })).toEqual([]);
  const job = experiment.spec.trialTemplate.trialSpec;
  expect(validateManifest({ ...job, metadata: { name: 'hpo-12345678-abcdefgh' } })).toEqual([]);
  expect([...podSecurityProblems(job), ...resourceProblems(job)]).toEqual([]);
  const pod = job.spec.template;
  expect(pod.metadata.labels).toEqual({ 'mlops.cdk.io/pipeline': 'iris-tuned', 'mlops.cdk.io/step': 'hpo-trial' });
  expect(pod.spec.volumes[0]).toEqual({ name: 'mlops-code', configMap: { name: 'code-steps' } });
  const env = Object.fromEntries(pod.spec.containers[0].env.map((e: Json) => [e.name, e.value]));
  expect(env.MLOPS_ENGINE).toBe('kubeflow');
});

test('the tuning component: the inputs bound as any task, the best model (system.Model), parameters and metric as outputs, the run id from the pod label', () => {
  const doc = compile(gatedDeployPipeline());
  const task = doc.pipelineSpec.root.dag.tasks.hpo;
  const component = doc.pipelineSpec.components[task.componentRef.name];
  expect(component.outputDefinitions).toEqual({
    artifacts: {
      model: { artifactType: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' } },
      parameters: { artifactType: { schemaTitle: 'system.Artifact', schemaVersion: '0.0.1' } },
    },
    parameters: { accuracy: { parameterType: 'NUMBER_DOUBLE' } },
  });
  expect(task.inputs.artifacts).toEqual({
    test: { taskOutputArtifact: { producerTask: 'clean', outputArtifactKey: 'test' } },
    train: { taskOutputArtifact: { producerTask: 'clean', outputArtifactKey: 'train' } },
  });
  expect(task.cachingOptions).toEqual({});
  const args: string[] = executorOf(doc, 'hpo').container.args;
  const flags = (flag: string) => args.flatMap((a, i) => (args[i - 1] === flag ? [a] : []));
  expect(flags('--input')).toEqual(["train={{$.inputs.artifacts['train'].path}}", "test={{$.inputs.artifacts['test'].path}}"]);
  expect(flags('--model-dir')).toEqual(["{{$.outputs.artifacts['model'].path}}"]);
  expect(flags('--parameters-dir')).toEqual(["{{$.outputs.artifacts['parameters'].path}}"]);
  expect(flags('--metric-file')).toEqual(["accuracy={{$.outputs.parameters['accuracy'].output_file}}"]);
  const platform = doc.platformSpec!.platforms.kubernetes.deploymentSpec.executors[doc.pipelineSpec.components[task.componentRef.name].executorLabel];
  expect(platform.fieldPathAsEnv).toEqual([{ name: 'MLOPS_RUN_ID', fieldPath: "metadata.labels['pipeline/runid']" }]);
});

test('a condition reads the best metric, register reads the best model, a later step the parameters', () => {
  const doc = compile(gatedDeployPipeline());
  const gate = doc.pipelineSpec.root.dag.tasks['accuracy-gate'];
  expect(gate.inputs.parameters['pipelinechannel--hpo-accuracy']).toEqual({ taskOutputParameter: { producerTask: 'hpo', outputParameterKey: 'accuracy' } });
  expect(gate.inputs.artifacts['pipelinechannel--hpo-model']).toEqual({ taskOutputArtifact: { producerTask: 'hpo', outputArtifactKey: 'model' } });
  const p = new Pipeline('reads-parameters', { parameters: { folds: Parameter.integer(5) } });
  const trial = Step.training('trial', { code: FIXTURE_CODE, entry: 'noop.py', metrics: ['loss'], params: { folds: p.parameter('folds') } });
  const hpo = Step.tune('hpo', { trial, objective: Objective.minimize('loss'), space: { n: Range.integer(1, 3) }, algorithm: Algorithm.grid(), maxTrials: 3 });
  p.addStep(hpo, Step.script('report', { code: FIXTURE_CODE, entry: 'noop.py', inputs: { parameters: hpo.bestParameters() } }));
  const reads = compile(p);
  expect(reads.pipelineSpec.root.dag.tasks.report.inputs.artifacts.parameters).toEqual({ taskOutputArtifact: { producerTask: 'hpo', outputArtifactKey: 'parameters' } });
  // A pipeline parameter reaches the trials at run time: a task input, handed on with --trial-env.
  expect(reads.pipelineSpec.root.dag.tasks.hpo.inputs.parameters).toEqual({ folds: { componentInputParameter: 'folds' } });
  const args: string[] = executorOf(reads, 'hpo').container.args;
  expect(args[args.indexOf('--trial-env') + 1]).toBe("MLOPS_PARAM_FOLDS={{$.inputs.parameters['folds']}}");
});

test('what Katib cannot run as meant is a synth error naming the step, the feature and Kubeflow', () => {
  const p = new Pipeline('bad', { defaultRetry: RetryPolicy.of({ maxRetries: 1 }) });
  const list = Step.script('each', { code: FIXTURE_CODE, entry: 'noop.py', outputs: ['part'], forEach: ['a', 'b'] });
  const trial = Step.training('trial', { code: FIXTURE_CODE, entry: 'noop.py', metrics: ['accuracy'], inputs: { parts: list.collect('part') } });
  p.addStep(list, Step.tune('hpo', { trial, objective: Objective.maximize('accuracy'), space: { C: Range.logUniform(0.1, 1) }, maxTrials: 2 }));
  expect(() => compileKubeflow(p, TEST_OPTIONS)).toThrow(expect.objectContaining({
    problems: [
      "step 'hpo': input 'parts' of its trial is laid out by the step launcher on Kubeflow Pipelines (a collected list), which Katib's trial pods do not run before the trial's own launcher; collect the list in an earlier step and pass that step's output to the trial",
      "step 'hpo': its trial 'trial' retries (maxRetries 1), but on Kubeflow Pipelines a Katib trial is a Kubernetes Job, which retries with Kubernetes' own back-off (10s, doubling), not intervalSeconds/backoffRate, and a retried trial would count once in Katib; remove retry from the trial (and from the pipeline's defaults), and use maxFailedTrials to let the search go on past failed trials",
    ],
  }));
});

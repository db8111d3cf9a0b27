import { Chart, Testing } from 'cdk8s';
import * as path from 'path';
import { SynthWarnings } from '../../../../constructs/k8s';
import { CanaryEndpoint, ModelServer, ServedModel } from '../../../../constructs/k8s/endpoint';
import { Engine, MlPipeline, NetworkEndpoint } from '../../../../constructs/k8s';
import { Code, Pipeline, Step } from '../../../../lib';
import { errorOf } from '../../../support/errors';
import { broadEgressProblems, validateManifests } from '../../../support/k8s';
import { endpointPodSecurityProblems } from '../../../support/k8s/endpoint-pods';
import { runExecutor, validateKubeflowDocument } from '../../../support/kubeflow';
import * as fs from 'fs';
import * as os from 'os';

jest.spyOn(console, 'warn').mockImplementation(() => undefined);

type Json = { [key: string]: any };

const IMAGE = 'registry.example.com/iris-serving:1';
const STEP_IMAGE = 'python:3.12-slim';
const CODE = Code.fromDirectory(path.join(__dirname, '../../../../examples/iris/steps'));
const API_SERVER = NetworkEndpoint.apiServer('172.18.0.0/16');
const STORE = NetworkEndpoint.ipBlock('10.0.0.0/16', [443]);

function pipelineOf(groups: string[] = ['iris']): Pipeline {
  const p = new Pipeline('iris');
  const train = Step.training('train', { code: CODE, entry: 'train.py' });
  p.addStep(train, ...groups.map((group, i) => Step.registerModel(i === 0 ? 'register' : `register-${i}`, { model: train.model(), group })));
  return p;
}

function engineOf(kind: 'argo' | 'kubeflow', bucket: string | undefined = 'mlops'): Engine {
  return kind === 'argo'
    ? Engine.argo({ defaultImage: STEP_IMAGE, artifactRepositoryBucket: bucket, artifactStore: STORE })
    : Engine.kubeflow({ defaultImage: STEP_IMAGE });
}

function synth(kind: 'argo' | 'kubeflow', server: ModelServer, endpointNamespace = 'serving') {
  const app = Testing.app();
  const pipelineChart = new Chart(app, 'pipelines', { namespace: kind === 'argo' ? 'ml' : 'kubeflow' });
  const pipeline = new MlPipeline(pipelineChart, 'Iris', { pipeline: pipelineOf(), engine: engineOf(kind), apiServer: API_SERVER });
  const endpointChart = new Chart(app, 'endpoints', { namespace: endpointNamespace });
  new CanaryEndpoint(endpointChart, 'Iris', { model: ServedModel.fromPipeline(pipeline, { image: IMAGE, readinessPath: '/ready' }), server, replicas: 10, egress: [STORE] });
  const objects: Json[] = [...Testing.synth(pipelineChart), ...Testing.synth(endpointChart)];
  return { objects, warnings: [...SynthWarnings.of(pipelineChart), ...SynthWarnings.of(endpointChart)] };
}

const find = (objects: Json[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;
const handOffRoles = (objects: Json[]) => objects.filter((o) => o.kind === 'Role' && /-hand-off-/.test(o.metadata.name));

const SERVERS: [string, ModelServer, string, string, string[]][] = [
  ['Argo Rollouts', ModelServer.argoRollouts(), 'Rollout', 'rollouts', ['spec', 'template', 'metadata']],
  ['KServe', ModelServer.kserve(), 'InferenceService', 'inferenceservices', ['spec', 'predictor']],
];

describe.each(['argo', 'kubeflow'] as const)('a pipeline on %s hands its registered model to a CanaryEndpoint', (engine) => {
  describe.each(SERVERS)('on %s', (_title, server, kind, resource, annotationsParent) => {
    const { objects } = synth(engine, server);

    test('every object validates against the upstream schemas; server pods are restricted and egress is narrow', () => {
      expect(validateManifests(objects)).toEqual([]);
      const version = objects.find((o) => o.kind === 'PipelineVersion');
      if (version) {
        expect(validateKubeflowDocument(version.spec)).toEqual([]);
      }
      expect(objects.flatMap((o) => [...endpointPodSecurityProblems(o), ...broadEgressProblems(o)])).toEqual([]);
    });

    test('one Role in the endpoint namespace may get and patch exactly the endpoint object, bound to the hand-off account', () => {
      const roles = handOffRoles(objects);
      expect(roles).toHaveLength(1);
      expect(roles[0].metadata).toMatchObject({ name: 'iris-hand-off-iris', namespace: 'serving' });
      expect(roles[0].rules).toEqual([{ apiGroups: [kind === 'Rollout' ? 'argoproj.io' : 'serving.kserve.io'], resources: [resource], resourceNames: ['iris'], verbs: ['get', 'patch'] }]);
      const binding = find(objects, 'RoleBinding', 'iris-hand-off-iris');
      const account = engine === 'argo' ? 'iris-hand-off' : 'iris-pipeline';
      expect(binding.metadata.namespace).toBe('serving');
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'iris-hand-off-iris' });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account, namespace: engine === 'argo' ? 'ml' : 'kubeflow' }]);
      // No other Role names the endpoint's resource.
      const others = objects.filter((o) => o.kind === 'Role' && o !== roles[0] && JSON.stringify(o.rules).includes(resource));
      expect(others).toEqual([]);
    });

    test('the server reads the model from pod annotations the manifest never sets', () => {
      const object = find(objects, kind, 'iris');
      let parent: Json = object;
      for (const key of annotationsParent) {
        parent = parent[key];
      }
      expect(parent).toBeDefined();
      expect(parent.annotations).toBeUndefined();
      expect(JSON.stringify(object)).not.toContain('"mlops.cdk.io/model-uri":');
      const spec = kind === 'Rollout' ? object.spec.template.spec : object.spec.predictor;
      expect(spec.containers[0].env).toEqual([
        { name: 'MLOPS_MODEL_URI', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['mlops.cdk.io/model-uri']" } } },
        { name: 'MLOPS_MODEL_VERSION', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['mlops.cdk.io/model-version']" } } },
      ]);
      expect(JSON.stringify(spec)).not.toContain('STORAGE_URI');
    });
  });
});

describe('how each engine runs the hand-off', () => {
  test('Argo: the register task runs a DAG whose hand-off task waits for the register container to succeed, as its own ServiceAccount', () => {
    const { objects } = synth('argo', ModelServer.argoRollouts());
    const templates: Json[] = find(objects, 'WorkflowTemplate', 'iris').spec.templates;
    const dag = templates.find((t) => t.name === 'register')!;
    expect(dag.dag.tasks.map((t: Json) => [t.name, t.template, t.depends])).toEqual([['register', 'register-register', undefined], ['hand-off-iris', 'register-hand-off-1', 'register.Succeeded']]);
    expect(dag.dag.tasks[1].arguments.parameters[0].value).toMatch(/^s3:\/\/mlops\/models\/iris\/\{\{workflow\.creationTimestamp\.Y\}\}.*-\{\{workflow\.name\}\}\/model$/);
    expect(dag.outputs.parameters).toEqual([{ name: 'version', valueFrom: { parameter: '{{tasks.register.outputs.parameters.version}}' } }]);
    const handOff = templates.find((t) => t.name === 'register-hand-off-1')!;
    expect(handOff.serviceAccountName).toBe('iris-hand-off');
    expect(handOff.container.command.slice(0, 2)).toEqual(['python3', '-c']);
    expect(handOff.container.args.slice(0, 4)).toEqual(['--object-path', '/apis/argoproj.io/v1alpha1/namespaces/serving/rollouts/iris', '--annotations-path', 'spec.template.metadata.annotations']);
    // The hand-off account also gets what Argo's executor needs to report the step.
    expect(find(objects, 'Role', 'iris-hand-off').rules).toEqual(find(objects, 'Role', 'iris-pipeline').rules);
  });

  test('Kubeflow: the register component becomes a DAG; the register container writes its model URI, which the hand-off task reads', () => {
    const { objects } = synth('kubeflow', ModelServer.kserve());
    const spec = objects.find((o) => o.kind === 'PipelineVersion')!.spec.pipelineSpec;
    const dag = spec.components['comp-register'].dag;
    expect(Object.keys(dag.tasks)).toEqual(['hand-off-iris', 'register']);
    expect(dag.tasks['hand-off-iris'].dependentTasks).toEqual(['register']);
    expect(dag.tasks['hand-off-iris'].inputs.parameters.uri).toEqual({ taskOutputParameter: { producerTask: 'register', outputParameterKey: 'uri' } });
    const register = spec.deploymentSpec.executors['exec-register-register'].container;
    expect(register.args.slice(-2)).toEqual(["{{$.outputs.artifacts['model'].uri}}", "{{$.outputs.parameters['uri'].output_file}}"]);
    const handOff = spec.deploymentSpec.executors['exec-register-hand-off-iris'].container;
    expect(handOff.args).toEqual(['--object-path', '/apis/serving.kserve.io/v1beta1/namespaces/serving/inferenceservices/iris', '--annotations-path', 'spec.predictor.annotations',
      '--uri', "{{$.inputs.parameters['uri']}}", '--version', "{{$.inputs.parameters['version']}}"]);
  });

  test('Kubeflow: the register container, run as KFP runs it, writes the model URI and the version for the hand-off', () => {
    const { objects } = synth('kubeflow', ModelServer.argoRollouts());
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kfp-register-'));
    try {
      const model = path.join(root, 'trained');
      fs.mkdirSync(model);
      fs.writeFileSync(path.join(model, 'model.joblib'), 'weights');
      const run = runExecutor(objects.find((o) => o.kind === 'PipelineVersion')!.spec, 'exec-register-register', { root, inputArtifacts: { model }, runId: 'run-123' });
      expect(run.status).toBe(0);
      expect(run.outputParameters).toEqual({ uri: 'minio://mlpipeline/emulated/exec-register-register/model', version: 'run-123' });
      expect(fs.readFileSync(path.join(run.outputArtifacts.model, 'model.joblib'), 'utf8')).toBe('weights');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('a pipeline without a hand-off compiles as before: no DAG around the register step, no hand-off objects', () => {
    const chart = new Chart(Testing.app(), 'plain', { namespace: 'ml' });
    new MlPipeline(chart, 'Iris', { pipeline: pipelineOf(), engine: engineOf('argo'), apiServer: API_SERVER });
    const objects = Testing.synth(chart);
    const register = find(objects, 'WorkflowTemplate', 'iris').spec.templates.find((t: Json) => t.name === 'register');
    expect(register.container).toBeDefined();
    expect(objects.filter((o) => /hand-off/.test(o.metadata.name))).toEqual([]);
  });
});

describe('bad hand-offs (synth errors and warnings)', () => {
  const chart = () => new Chart(Testing.app(), 'c', { namespace: 'ml' });

  test('a pipeline with no register step, several groups, or not the named group', () => {
    const c = chart();
    const none = new Pipeline('plain');
    none.addStep(Step.training('train', { code: CODE, entry: 'train.py' }));
    const plain = new MlPipeline(c, 'Plain', { pipeline: none, engine: engineOf('argo') });
    expect(errorOf(() => ServedModel.fromPipeline(plain, { image: IMAGE }))).toBe("MlPipeline 'c/Plain': ServedModel.fromPipeline: pipeline 'plain' has no register step, so it hands no model to an endpoint; add Step.registerModel(...) before this call, or use ServedModel.fromImage(image, { modelUri })");
    const two = new MlPipeline(c, 'Two', { pipeline: pipelineOf(['iris', 'churn']), engine: engineOf('argo'), name: 'two' });
    expect(errorOf(() => ServedModel.fromPipeline(two, { image: IMAGE }))).toBe("MlPipeline 'c/Two': ServedModel.fromPipeline: pipeline 'iris' registers into churn, iris; pick one with { group: 'churn' }");
    expect(errorOf(() => ServedModel.fromPipeline(two, { image: IMAGE, group: 'wine' }))).toBe("MlPipeline 'c/Two': ServedModel.fromPipeline: pipeline 'iris' registers no model into group 'wine' (its register steps name: churn, iris); give one of those, or add the register step before this call");
    expect(ServedModel.fromPipeline(two, { image: IMAGE, group: 'churn' }).group).toBe('churn');
    expect(errorOf(() => ServedModel.fromPipeline({} as any, { image: IMAGE }))).toBe('ServedModel.fromPipeline: pipeline is {}, which is not a k8s.MlPipeline; pass the k8s.MlPipeline that registers the model');
  });

  test('env the hand-off sets is refused', () => {
    const c = chart();
    const pipeline = new MlPipeline(c, 'Iris', { pipeline: pipelineOf(), engine: engineOf('argo') });
    expect(errorOf(() => new CanaryEndpoint(c, 'E', { model: ServedModel.fromPipeline(pipeline, { image: IMAGE, env: { MLOPS_MODEL_URI: 's3://x/y' } }) })))
      .toContain("model env 'MLOPS_MODEL_URI' is set by the pipeline's hand-off (ServedModel.fromPipeline); remove it from env");
  });

  test('Argo without a known artifact repository bucket cannot name the model URI', () => {
    const c = chart();
    const pipeline = new MlPipeline(c, 'Iris', { pipeline: pipelineOf(), engine: Engine.argo({ defaultImage: STEP_IMAGE }) });
    new CanaryEndpoint(c, 'E', { model: ServedModel.fromPipeline(pipeline, { image: IMAGE, readinessPath: '/ready' }), egress: [STORE] });
    expect(errorOf(() => Testing.synth(c))).toContain("step 'register': hands its model to CanaryEndpoint 'e', which needs the model's s3:// URI, but the bucket of the artifact repository is unknown; give Engine.argo({ controller }) an ArgoWorkflows with an ArtifactRepository, or set Engine.argo({ artifactRepositoryBucket })");
  });

  test('warnings: no readinessPath, no egress to the store, and the Knative feature flag on KServe', () => {
    const c = chart();
    const pipeline = new MlPipeline(c, 'Iris', { pipeline: pipelineOf(), engine: engineOf('argo'), apiServer: API_SERVER });
    new CanaryEndpoint(c, 'E', { model: ServedModel.fromPipeline(pipeline, { image: IMAGE }), server: ModelServer.kserve() });
    Testing.synth(c);
    const warnings = SynthWarnings.of(c).filter((w) => /hand-off|handed-over|MLOPS_MODEL_URI/.test(w));
    expect(warnings).toEqual([
      expect.stringContaining("model from MlPipeline 'Iris' has no readinessPath: until the pipeline's first hand-off MLOPS_MODEL_URI is empty"),
      expect.stringContaining("which Knative Serving refuses unless its config-features set 'kubernetes.podspec-fieldref: enabled'"),
      expect.stringContaining("NetworkPolicy 'e-server-allow' allows egress only to the DNS, so the server cannot download the handed-over model"),
    ]);
  });

  test('an endpoint created after the pipeline was synthesized is refused', () => {
    const c = chart();
    const pipeline = new MlPipeline(c, 'Iris', { pipeline: pipelineOf(), engine: engineOf('argo'), apiServer: API_SERVER });
    Testing.synth(c);
    expect(errorOf(() => new CanaryEndpoint(c, 'Late', { model: ServedModel.fromPipeline(pipeline, { image: IMAGE, readinessPath: '/ready' }) })))
      .toBe("MlPipeline 'Iris': CanaryEndpoint 'c/Late' uses ServedModel.fromPipeline after the pipeline was synthesized; create the endpoint before app.synth()");
  });
});

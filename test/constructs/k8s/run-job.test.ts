import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { IrisArgoChart, IrisKubeflowChart } from '../../../examples/iris/k8s';
import { irisPipeline } from '../../../examples/iris/pipeline';
import { Engine, MlPipeline } from '../../../constructs/k8s';
import { Code, Parameter, Pipeline, RateUnit, Schedule, Step } from '../../../lib';
import { podSecurityProblems, resourceProblems, validateManifests } from '../../support/k8s';
import { errorOf } from '../../support/errors';

// Synth warnings are asserted through SynthWarnings.of; their stderr copy is noise here.
jest.spyOn(console, 'warn').mockImplementation(() => undefined);

type Json = { [key: string]: any };

const IMAGE = 'python:3.12-slim';

function find(objects: Json[], kind: string, name: string | RegExp): Json {
  const found = objects.find((o) => o.kind === kind && (typeof name === 'string' ? o.metadata.name === name : name.test(o.metadata.name)));
  if (!found) {
    throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  }
  return found;
}

function runConfig(objects: Json[], name: string): Json {
  return JSON.parse(find(objects, 'ConfigMap', name).data['run.json']);
}

/** What a run pod gets: the union of the egress of every NetworkPolicy whose podSelector matches its labels. */
function egressOf(objects: Json[], podLabels: { [k: string]: string }): Json[] {
  return objects
    .filter((o) => o.kind === 'NetworkPolicy')
    .filter((o) => Object.entries(o.spec.podSelector.matchLabels ?? {}).every(([k, v]) => podLabels[k] === v))
    .flatMap((o) => o.spec.egress ?? []);
}

describe('on Argo Workflows', () => {
  const chart = new IrisArgoChart(Testing.app(), 'iris-argo');
  chart.pipeline.addRunJob('retrain', { parameters: { minAccuracy: '0.95' } });
  chart.pipeline.addRunJob('nightly', { schedule: Schedule.cron('0 2 * * *', { timeZone: 'Europe/Berlin' }) });
  const objects: Json[] = Testing.synth(chart);

  test("every manifest validates strictly; the run pods pass Pod Security 'restricted' with requests and limits", () => {
    expect(validateManifests(objects, { argo: 'v4.1.2' })).toEqual([]);
    expect(objects.flatMap((o) => [...podSecurityProblems(o), ...resourceProblems(o)])).toEqual([]);
  });

  test('a Job, named by what it submits, whose pod creates a Workflow from the WorkflowTemplate with the parameters', () => {
    const job = find(objects, 'Job', /^iris-retrain-[0-9a-f]{10}$/);
    expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
    const pod = job.spec.template.spec;
    expect(pod.serviceAccountName).toBe('iris-runner');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.containers[0].image).toBe('quay.io/jupyter/scipy-notebook:2024-12-02');
    expect(pod.containers[0].env).toEqual([{ name: 'MLOPS_RUN_NAME', valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" } } }]);
    expect(pod.volumes).toEqual([{ name: 'run', configMap: { name: job.metadata.name } }]);
    const config = runConfig(objects, job.metadata.name);
    expect(config).toMatchObject({ engine: 'argo', namespace: 'ml' });
    expect(config.workflow).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { namespace: 'ml', labels: { 'app.kubernetes.io/managed-by': 'cdk-mlops', 'mlops.cdk.io/pipeline': 'iris' } },
      spec: { workflowTemplateRef: { name: 'iris' }, arguments: { parameters: [{ name: 'minAccuracy', value: '0.95' }, { name: 'nEstimators', value: '100' }] } },
    });
  });

  test('with a schedule, a CronJob in the schedule\'s time zone', () => {
    const cron = find(objects, 'CronJob', 'iris-nightly');
    expect(cron.spec).toMatchObject({ schedule: '0 2 * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Forbid' });
    expect(cron.spec.jobTemplate.spec.template.spec.serviceAccountName).toBe('iris-runner');
    expect(runConfig(objects, 'iris-nightly').workflow.spec.arguments.parameters).toEqual([{ name: 'minAccuracy', value: '0.9' }, { name: 'nEstimators', value: '100' }]);
  });

  test('the runner account may only create workflows in the namespace', () => {
    expect(find(objects, 'Role', 'iris-runner').rules).toEqual([{ apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: ['create'] }]);
    expect(find(objects, 'RoleBinding', 'iris-runner')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'iris-runner' },
      subjects: [{ kind: 'ServiceAccount', name: 'iris-runner', namespace: 'ml' }],
    });
    expect(objects.filter((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'iris-runner')).toHaveLength(1);
  });

  test('run pods: default deny, then the API server the example names only (not the artifact store the step pods reach)', () => {
    const labels = find(objects, 'Job', /^iris-retrain-/).spec.template.metadata.labels;
    expect(labels['mlops.cdk.io/pipeline']).toBeUndefined();
    expect(find(objects, 'NetworkPolicy', 'iris-runner-deny-all').spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(egressOf(objects, labels)).toEqual([{ to: [{ ipBlock: { cidr: '172.18.0.0/16' } }], ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] }]);
  });
});

describe('on Kubeflow Pipelines', () => {
  const chart = new IrisKubeflowChart(Testing.app(), 'iris-kubeflow');
  chart.pipeline.addRunJob('retrain', { parameters: { nEstimators: '300' } });
  const objects: Json[] = Testing.synth(chart);
  const job = find(objects, 'Job', /^iris-retrain-[0-9a-f]{10}$/);

  test("every manifest validates strictly; the run pod passes Pod Security 'restricted' with requests and limits", () => {
    expect(validateManifests(objects)).toEqual([]);
    expect(objects.flatMap((o) => [...podSecurityProblems(o), ...resourceProblems(o)])).toEqual([]);
  });

  test('the Job creates a run of this PipelineVersion through the KFP API, with typed parameters and a KFP-audience token', () => {
    const config = runConfig(objects, job.metadata.name);
    expect(config).toEqual({
      engine: 'kubeflow',
      namespace: 'kubeflow',
      description: "A run of iris by run job 'retrain', submitted by cdk-mlops",
      api: 'http://ml-pipeline.kubeflow.svc.cluster.local:8888',
      pipelineName: 'iris',
      pipelineVersionName: find(objects, 'PipelineVersion', /^iris-/).metadata.name,
      experimentName: 'iris',
      parameters: { minAccuracy: 0.9, nEstimators: 300 },
      serviceAccount: 'iris-pipeline',
      timeoutSeconds: 600,
      tokenPath: '/var/run/secrets/mlops/token',
    });
    const pod = job.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.volumes[1]).toEqual({ name: 'token', projected: { sources: [{ serviceAccountToken: { audience: 'pipelines.kubeflow.org', expirationSeconds: 3600, path: 'token' } }] } });
  });

  test('the runner account has what KFP checks to create a run (its resource types), nothing else', () => {
    expect(find(objects, 'Role', 'iris-runner').rules).toEqual([
      { apiGroups: ['pipelines.kubeflow.org'], resources: ['pipelines'], verbs: ['get', 'list'] },
      { apiGroups: ['pipelines.kubeflow.org'], resources: ['experiments'], verbs: ['get', 'list', 'create'] },
      { apiGroups: ['pipelines.kubeflow.org'], resources: ['runs'], verbs: ['get', 'list', 'create'] },
    ]);
  });

  test('run pods: default deny, then DNS and the KFP services only', () => {
    const egress = egressOf(objects, job.spec.template.metadata.labels);
    expect(egress.map((e) => e.to)).toEqual([
      [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kubeflow' } }, podSelector: {} }],
    ]);
  });

  test('a new pipeline version is a new Job; the same synthesis twice is the same Job', () => {
    const again = Testing.synth(new IrisKubeflowChart(Testing.app(), 'k'));
    expect(again.filter((o: Json) => o.kind === 'Job').map((o: Json) => o.metadata.name)).not.toContain(job.metadata.name);
    const same = new IrisKubeflowChart(Testing.app(), 'k');
    same.pipeline.addRunJob('retrain', { parameters: { nEstimators: '300' } });
    expect(find(Testing.synth(same), 'Job', /^iris-retrain-/).metadata.name).toBe(job.metadata.name);
  });
});

describe('checked at synth time', () => {
  const synth = (add: (p: MlPipeline) => void, engine = Engine.argo({ defaultImage: IMAGE })) => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    const pipeline = new MlPipeline(chart, 'P', { pipeline: irisPipeline(), engine });
    add(pipeline);
    return Testing.synth(chart);
  };

  test.each([
    ['Argo', () => Engine.argo({ defaultImage: IMAGE })],
    ['Kubeflow', () => Engine.kubeflow({ defaultImage: IMAGE })],
  ] as const)('on %s, an unknown parameter or a value of the wrong type is a clear error naming the construct and the run job', (_, engine) => {
    expect(errorOf(() => synth((p) => p.addRunJob('retrain', { parameters: { minAcc: '0.95', nEstimators: 'many' } }), engine()))).toBe(
      'Validation failed with the following errors:\n  [test/P] MlPipeline \'P\':\n'
      + "  - run job 'retrain': unknown parameter 'minAcc' (defined: 'minAccuracy', 'nEstimators')\n"
      + "  - run job 'retrain': parameter 'nEstimators': 'many' is not an integer; give an integer, e.g. nEstimators=100",
    );
  });

  const own = (engine: Engine) => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    const pipeline = new Pipeline('own', { parameters: { label: Parameter.string('a') } });
    pipeline.addStep(Step.script('one', { code: Code.fromDirectory(path.join(__dirname, '..', '..', 'fixtures', 'steps')), entry: 'noop.py', image: IMAGE }));
    return { chart, construct: new MlPipeline(chart, 'P', { pipeline, engine }) };
  };

  test('parameters Argo would read as template variables are refused', () => {
    const { chart, construct } = own(Engine.argo());
    construct.addRunJob('retrain', { parameters: { label: '{{workflow.name}}' }, image: IMAGE });
    expect(errorOf(() => Testing.synth(chart))).toBe(
      `Validation failed with the following errors:\n  [test/P] MlPipeline 'P': run job 'retrain': parameter 'label' "{{workflow.name}}" contains '{{', which Argo Workflows reads as a template variable and cannot pass through literally; remove the double brace`,
    );
  });

  test.each([
    ['Argo', () => Engine.argo(), 'utilityImage or defaultImage'],
    ['Kubeflow', () => Engine.kubeflow(), 'schedulerImage, utilityImage or defaultImage'],
  ] as const)('on %s, a run job without an image (steps name theirs, the engine none) is refused naming the options', (_, engine, options) => {
    const { chart, construct } = own(engine());
    construct.addRunJob('retrain');
    expect(errorOf(() => Testing.synth(chart))).toContain(`[test/P] MlPipeline 'P': run job 'retrain': the job's pod needs an image with python3; set image in addRunJob's options, or the engine's ${options}`);
  });

  test('an id that cannot name the objects, a schedule the CronJob parser cannot read', () => {
    expect(errorOf(() => synth((p) => p.addRunJob('Re Train')))).toContain("run job 'Re Train': id 'Re Train' is invalid");
    expect(errorOf(() => synth((p) => p.addRunJob('x'.repeat(48))))).toContain('at most 52 chars');
    expect(errorOf(() => synth((p) => p.addRunJob('monthly', { schedule: Schedule.cron('0 0 L * *') })))).toContain("run job 'monthly': schedule cron(0 0 L * *) uses 'L' (last day), which the Kubernetes CronJob cron parser (robfig/cron) does not support");
  });

  test('rates become CronJob schedules; the image option wins', () => {
    const objects = synth((p) => p.addRunJob('often', { schedule: Schedule.rate(6, RateUnit.HOURS), image: 'python:3.13-slim' }));
    const cron = find(objects, 'CronJob', 'iris-often');
    expect(cron.spec.schedule).toBe('0 */6 * * *');
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0].image).toBe('python:3.13-slim');
  });

  test('two run jobs with one id, or one added after synthesis, are refused at once', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    const pipeline = new MlPipeline(chart, 'P', { pipeline: irisPipeline(), engine: Engine.argo({ defaultImage: IMAGE }) });
    pipeline.addRunJob('retrain');
    expect(errorOf(() => pipeline.addRunJob('retrain'))).toBe("MlPipeline 'P': a run job 'retrain' already exists; give each run job its own id");
    Testing.synth(chart);
    expect(errorOf(() => pipeline.addRunJob('later'))).toBe("MlPipeline 'P': addRunJob('later') after the pipeline was synthesized; add run jobs before app.synth()");
  });
});

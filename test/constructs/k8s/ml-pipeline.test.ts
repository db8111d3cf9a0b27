import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { ArgoWorkflows, ArtifactRepository, Engine, MlPipeline, MlPipelineProps, NetworkEndpoint } from '../../../constructs/k8s';
import { irisPipeline } from '../../../examples/iris/pipeline';
import { Code, Pipeline, RateUnit, Schedule, Step, Value } from '../../../lib';
import { podSecurityProblems, resourceProblems, validateManifests } from '../../support/k8s';
import { validateKubeflowDocument } from '../../support/kubeflow';
import { errorOf } from '../../support/errors';

// Synth warnings are asserted through SynthWarnings.of; their stderr copy is noise here.
jest.spyOn(console, 'warn').mockImplementation(() => undefined);

type Json = { [key: string]: any };

const code = Code.fromDirectory(path.join(__dirname, '..', '..', 'fixtures', 'steps'));
const entry = 'noop.py';
const IMAGE = 'python:3.12-slim';

function synth(props: Partial<MlPipelineProps> & { pipeline: Pipeline }, namespace: string | null = 'ml'): Json[] {
  const chart = new Chart(Testing.app(), 'test', { namespace: namespace ?? undefined });
  new MlPipeline(chart, 'P', { engine: Engine.argo({ defaultImage: IMAGE }), ...props });
  return Testing.synth(chart);
}

function simple(name = 'simple'): Pipeline {
  const p = new Pipeline(name);
  p.addStep(Step.script('one', { code, entry }), Step.script('two', { code, entry }));
  return p;
}

const engines = [
  ['Argo', () => Engine.argo({ defaultImage: IMAGE })],
  ['Kubeflow', () => Engine.kubeflow({ defaultImage: IMAGE })],
] as const;

describe.each(engines)('on %s', (engineName, engine) => {
  test('valid, restricted manifests with requests and limits; one ConfigMap for code shared by steps', () => {
    const objects = synth({ pipeline: simple(), engine: engine() });
    expect(validateManifests(objects, { argo: 'v4.1.2' })).toEqual([]);
    expect(objects.flatMap((o) => [...podSecurityProblems(o), ...resourceProblems(o)])).toEqual([]);
    expect(objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('simple-code-'))).toHaveLength(1);
    const version = objects.find((o) => o.kind === 'PipelineVersion');
    if (version) {
      expect(validateKubeflowDocument(version.spec)).toEqual([]);
    }
  });

  test('a missing image is a synth-time error that says the image needs python3', () => {
    const p = new Pipeline('no-image');
    p.addStep(Step.script('bare', { code, entry }));
    expect(errorOf(() => synth({ pipeline: p, engine: engineName === 'Argo' ? Engine.argo() : Engine.kubeflow() }))).toMatch(/step 'bare'.*python3/);
  });

  test('a GPU step without GPU node selection, where required, is a synth-time error naming the step', () => {
    const p = new Pipeline('gpu');
    p.addStep(Step.training('fit', { code, entry, resources: { gpu: 1 } }));
    const strict = engineName === 'Argo' ? Engine.argo({ defaultImage: IMAGE, gpu: { requireNodeSelection: true } }) : Engine.kubeflow({ defaultImage: IMAGE, gpu: { requireNodeSelection: true } });
    expect(errorOf(() => synth({ pipeline: p, engine: strict }))).toMatch(/step 'fit'.*(node selection|nodeSelector)/);
  });

  test('an object over the etcd limit is a synth-time error with its size', () => {
    const p = new Pipeline('huge');
    p.addStep(Step.script('big', { code, entry, params: { blob: Value.string('x'.repeat(1_600_000)) } }));
    expect(errorOf(() => synth({ pipeline: p, engine: engine() }))).toMatch(/is 1\.\d\d MiB \(\d+ bytes\), over the 1\.50 MiB \(1572864 bytes\) Kubernetes \(etcd\) object size limit/);
  });

  test('code over the 1 MiB ConfigMap limit is a synth-time error with the size and how to shrink it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-big-code-'));
    try {
      fs.writeFileSync(path.join(dir, 'step.py'), 'print(1)\n');
      fs.writeFileSync(path.join(dir, 'data.bin'), crypto.randomBytes(1_200_000));
      const p = new Pipeline('big-code');
      p.addStep(Step.script('heavy', { code: Code.fromDirectory(dir), entry: 'step.py' }));
      const message = errorOf(() => synth({ pipeline: p, engine: engine() }));
      expect(message).toMatch(new RegExp(`\\[test/P\\] MlPipeline 'P': the code of step 'heavy' \\(${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\) packs to 1\\.1\\d MiB \\(\\d+ bytes\\), over the 1\\.00 MiB \\(1048576 bytes\\) ConfigMap limit; leave data and large files out \\(Code\\.fromDirectory\\(dir, \\{ exclude: \\[\\.\\.\\.\\] \\}\\)\\)`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('names and namespaces', () => {
  test('without a namespace anywhere, synth stops: the RoleBinding has to name one', () => {
    expect(errorOf(() => synth({ pipeline: simple() }, null))).toBe("MlPipeline 'P': has no namespace; set props.namespace or the Chart's namespace (the service account's RoleBinding has to name it)");
  });

  test('a base name over 52 characters, or not a DNS label, is refused naming the rule', () => {
    expect(errorOf(() => synth({ pipeline: simple('a'.repeat(53)) }))).toBe(
      `MlPipeline 'P': name '${'a'.repeat(53)}' (the pipeline name lowercased) is invalid for the pipeline's Kubernetes objects (rule: a DNS-1123 label of lowercase letters, digits and '-', at most 52 chars, so that generated names such as '<name>-<10 hex>' stay within 63); set props.name, e.g. '${'a'.repeat(52)}'`,
    );
    expect(errorOf(() => synth({ pipeline: simple(), name: 'My_Pipeline' }))).toContain("name 'My_Pipeline' (props.name) is invalid");
  });

  test('the pipeline name is lowercased; props.name overrides it for every object', () => {
    expect(synth({ pipeline: simple('Churn') }).find((o) => o.kind === 'WorkflowTemplate')!.metadata.name).toBe('churn');
    const named = synth({ pipeline: simple('Churn'), name: 'churn-v2' });
    expect(named.filter((o) => o.kind !== 'ConfigMap').map((o) => o.metadata.name)).toEqual(expect.arrayContaining(['churn-v2', 'churn-v2-pipeline', 'churn-v2-steps-deny-all']));
  });

  test('with a namespaced controller the pipeline goes to its namespace; another namespace is refused', () => {
    const chart = new Chart(Testing.app(), 'test');
    const argo = new ArgoWorkflows(chart, 'Argo', { namespace: 'wf', artifactRepository: ArtifactRepository.s3({ bucket: 'b-1', useSdkCreds: true }) });
    const pipeline = new MlPipeline(chart, 'P', { pipeline: simple(), engine: Engine.argo({ controller: argo, defaultImage: IMAGE }) });
    expect(pipeline.namespace).toBe('wf');
    expect(errorOf(() => new MlPipeline(chart, 'Q', { pipeline: simple('other'), namespace: 'ml', engine: Engine.argo({ controller: argo, defaultImage: IMAGE }) }))).toBe(
      "MlPipeline 'Q': namespace 'ml' differs from 'wf', the only namespace its Argo Workflows controller (installed namespaced) watches; leave namespace unset or use 'wf'",
    );
  });

  test('two pipelines in one chart keep their own code ConfigMaps', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    new MlPipeline(chart, 'A', { pipeline: simple('first'), engine: Engine.argo({ defaultImage: IMAGE }) });
    new MlPipeline(chart, 'B', { pipeline: simple('second'), engine: Engine.argo({ defaultImage: IMAGE }) });
    const names = Testing.synth(chart).filter((o) => o.kind === 'ConfigMap' && o.binaryData).map((o) => o.metadata.name);
    expect(names).toEqual([expect.stringMatching(/^first-code-/), expect.stringMatching(/^second-code-/)]);
    expect(names[0].slice(-10)).toBe(names[1].slice(-10));
  });
});

describe('service account and network policies', () => {
  test('an existing service account: used, and no ServiceAccount, Role or RoleBinding created', () => {
    const objects = synth({ pipeline: simple(), serviceAccountName: 'ml-runner' });
    expect(objects.filter((o) => ['ServiceAccount', 'Role', 'RoleBinding'].includes(o.kind))).toEqual([]);
    expect(objects.find((o) => o.kind === 'WorkflowTemplate')!.spec.serviceAccountName).toBe('ml-runner');
  });

  test('networkPolicies: false leaves them out; custom DNS, API server and artifact store endpoints are used', () => {
    expect(synth({ pipeline: simple(), networkPolicies: false }).filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
    const objects = synth({
      pipeline: simple(),
      engine: Engine.argo({ defaultImage: IMAGE, artifactStore: NetworkEndpoint.ipBlock('10.20.0.0/16', [9000]) }),
      apiServer: NetworkEndpoint.apiServer('10.0.0.1/32'),
      dns: NetworkEndpoint.pods({ namespace: 'kube-system', podLabels: { 'k8s-app': 'node-local-dns' }, ports: [53] }),
    });
    const allow = objects.find((o) => o.metadata.name === 'simple-steps-allow')!;
    expect(allow.spec.egress.map((e: Json) => e.to)).toEqual([
      [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'node-local-dns' } } }],
      [{ ipBlock: { cidr: '10.0.0.1/32' } }],
      [{ ipBlock: { cidr: '10.20.0.0/16' } }],
    ]);
  });
});

describe('schedules on Kubeflow', () => {
  const kubeflow = () => Engine.kubeflow({ defaultImage: IMAGE });
  const trigger = (schedule: Schedule) => {
    const objects = synth({ pipeline: irisPipeline(), engine: kubeflow(), schedule });
    return JSON.parse(objects.find((o) => o.metadata.name === 'iris-schedule')!.data['recurring-run.json']).trigger;
  };

  test('cron gains a seconds field for KFP (robfig/cron v1); rates become periodic schedules', () => {
    expect(trigger(Schedule.cron('30 2 * * 1-5'))).toEqual({ cron_schedule: { cron: '0 30 2 * * 1-5' } });
    expect(trigger(Schedule.rate(6, RateUnit.HOURS))).toEqual({ periodic_schedule: { interval_second: '21600' } });
  });

  test('a time zone other than UTC, or cron KFP cannot parse, is a synth-time error', () => {
    expect(errorOf(() => synth({ pipeline: irisPipeline(), engine: kubeflow(), schedule: Schedule.daily({ timeZone: 'Europe/Berlin' }) }))).toContain(
      "[test/P] MlPipeline 'P' on Kubeflow Pipelines: schedule cron(0 0 * * *) is in time zone 'Europe/Berlin', but Kubeflow Pipelines reads recurring-run cron in its scheduler's time zone (UTC by default) and a run cannot name another; write the schedule in UTC",
    );
    expect(errorOf(() => synth({ pipeline: irisPipeline(), engine: kubeflow(), schedule: Schedule.cron('0 0 L * *') }))).toContain("uses 'L' (last day), which Kubeflow Pipelines' cron parser (robfig/cron) does not support");
  });

  test('a changed schedule is a new Job (Jobs are immutable)', () => {
    const job = (schedule: Schedule) => synth({ pipeline: irisPipeline(), engine: kubeflow(), schedule }).find((o) => o.kind === 'Job')!.metadata.name;
    expect(job(Schedule.daily())).toBe(job(Schedule.daily()));
    expect(job(Schedule.daily())).not.toBe(job(Schedule.hourly()));
  });
});

test('an engine that is not an Engine is refused', () => {
  expect(errorOf(() => synth({ pipeline: simple(), engine: {} as Engine }))).toBe("MlPipeline 'P': engine is not an Engine; use Engine.argo(...) or Engine.kubeflow(...)");
});

import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { ArgoWorkflows, ArtifactRepository, Engine, MlPipeline, NetworkEndpoint, SynthWarnings } from '../../../constructs/k8s';
import { IrisArgoChart, IrisKubeflowChart } from '../../../examples/iris/k8s';
import { irisPipeline } from '../../../examples/iris/pipeline';
import { Schedule } from '../../../lib';
import { askedForAnywhere, broadEgressProblems, podsOf, podSecurityProblems, resourceProblems, validateManifests } from '../../support/k8s';
import { sharedSchemasDir } from '../../support/shared-schemas';

jest.spyOn(console, 'warn').mockImplementation(() => undefined);

type Json = { [key: string]: any };

const IMAGE = 'python:3.12-slim';
const apiServer = NetworkEndpoint.apiServer('10.0.0.1/32');
const minio = () => ArtifactRepository.s3({
  bucket: 'mlops',
  endpoint: 'minio.minio.svc.cluster.local:9000',
  insecure: true,
  accessKeySecret: { name: 'minio-credentials', key: 'accesskey' },
  secretKeySecret: { name: 'minio-credentials', key: 'secretkey' },
});

/** Every chart of the family: the examples, and test charts that switch on every kind of object. */
const CHARTS: [string, () => Chart][] = [
  ['example IrisArgoChart', () => new IrisArgoChart(Testing.app(), 'iris-argo')],
  ['example IrisKubeflowChart', () => new IrisKubeflowChart(Testing.app(), 'iris-kubeflow')],
  ['examples with run jobs (one-off and scheduled)', () => {
    const chart = new IrisArgoChart(Testing.app(), 'iris-argo');
    chart.pipeline.addRunJob('retrain', { parameters: { nEstimators: '300' } });
    chart.pipeline.addRunJob('nightly', { schedule: Schedule.cron('0 1 * * *') });
    return chart;
  }],
  ['Kubeflow with run jobs', () => {
    const chart = new IrisKubeflowChart(Testing.app(), 'iris-kubeflow');
    chart.pipeline.addRunJob('retrain');
    chart.pipeline.addRunJob('weekly', { schedule: Schedule.cron('0 2 * * 0') });
    return chart;
  }],
  ['Argo without a controller, every default (no apiServer, no artifact store)', () => {
    const chart = new Chart(Testing.app(), 'bare', { namespace: 'ml' });
    const p = new MlPipeline(chart, 'Iris', { pipeline: irisPipeline(), engine: Engine.argo({ defaultImage: IMAGE }), schedule: Schedule.daily() });
    p.addRunJob('retrain');
    return chart;
  }],
  ['Kubeflow, every default', () => {
    const chart = new Chart(Testing.app(), 'bare-kfp', { namespace: 'kubeflow' });
    new MlPipeline(chart, 'Iris', { pipeline: irisPipeline(), engine: Engine.kubeflow({ defaultImage: IMAGE }), schedule: Schedule.daily() });
    return chart;
  }],
  ['ArgoWorkflows with AWS S3 (external store) and v3.7', () => {
    const chart = new Chart(Testing.app(), 's3', { namespace: 'pipelines' });
    const controller = new ArgoWorkflows(chart, 'Argo', { artifactRepository: ArtifactRepository.s3({ bucket: 'ml-artifacts', region: 'eu-west-1', useSdkCreds: true }), version: 'v3.7.18', apiServer });
    new MlPipeline(chart, 'Iris', { pipeline: irisPipeline(), engine: Engine.argo({ controller, defaultImage: IMAGE }), apiServer });
    return chart;
  }],
  ['network policies off', () => {
    const chart = new Chart(Testing.app(), 'open', { namespace: 'ml' });
    new ArgoWorkflows(chart, 'Argo', { artifactRepository: minio(), networkPolicies: false, monitoring: false });
    new MlPipeline(chart, 'Iris', { pipeline: irisPipeline(), engine: Engine.kubeflow({ defaultImage: IMAGE }), networkPolicies: false, name: 'iris-kfp' });
    return chart;
  }],
];

describe.each(CHARTS)('%s', (_name, build) => {
  const chart = build();
  const objects: Json[] = Testing.synth(chart);

  test('every manifest validates against the schemas (unknown fields rejected)', () => {
    const argo = objects.some((o) => o.kind === 'Deployment' && /:v3\.7/.test(o.spec.template.spec.containers[0].image)) ? 'v3.7.18' : 'v4.1.2';
    expect(validateManifests(objects, { argo })).toEqual([]);
  });

  test('no egress rule reaches every address (0.0.0.0/0, ::/0, no `to`): none was asked for', () => {
    expect(objects.flatMap((o) => broadEgressProblems(o))).toEqual([]);
    expect(objects.filter((o) => askedForAnywhere(o) !== undefined)).toEqual([]);
    const cidrs: string[] = objects.filter((o) => o.kind === 'NetworkPolicy').flatMap((o) => (o.spec.egress ?? []).flatMap((r: Json) => r.to.map((p: Json) => p.ipBlock?.cidr))).filter((c: unknown): c is string => typeof c === 'string');
    expect(cidrs.filter((c) => c.endsWith('/0'))).toEqual([]);
  });

  test("every pod we create passes 'restricted': its effective security context (pod and container merged) is non-root, no escalation, no capabilities, RuntimeDefault seccomp", () => {
    expect(objects.flatMap((o) => [...podSecurityProblems(o), ...resourceProblems(o)])).toEqual([]);
    const containers = objects.flatMap((o) => podsOf(o).flatMap((view) => view.containers.map(({ where, container }) => ({ where, effective: { ...(view.pod.securityContext ?? {}), ...(container.securityContext ?? {}) } }))));
    expect(containers.length).toBeGreaterThan(0);
    for (const { where, effective } of containers) {
      expect({ where, ...effective }).toMatchObject({
        where,
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
    }
  });

  test('Kubeflow step pods: the strongest security context the platform spec can carry, and a warning that it is not restricted', () => {
    const versions = objects.filter((o) => o.kind === 'PipelineVersion');
    const warnings = SynthWarnings.of(chart).filter((w) => w.includes("Kubeflow step pods may not pass Pod Security 'restricted'"));
    expect(warnings).toHaveLength(versions.length);
    for (const version of versions) {
      const executors = Object.values(version.spec.platformSpec.platforms.kubernetes.deploymentSpec.executors) as Json[];
      expect(executors.length).toBeGreaterThan(0);
      for (const executor of executors) {
        expect(executor.securityContext).toEqual({ runAsUser: '1000', runAsGroup: '1000', runAsNonRoot: true });
      }
    }
  });
});

test("the platform spec's SecurityContext has no field beyond runAsUser, runAsGroup and runAsNonRoot (KFP 2.17 proto), so the executors carry all it can", () => {
  const proto = fs.readFileSync(path.join(sharedSchemasDir(), 'kubeflow', 'kubernetes_executor_config.proto'), 'utf8');
  const body = /message SecurityContext \{([\s\S]*?)\n\}/.exec(proto)![1];
  const fields = [...body.matchAll(/^\s*(?:optional\s+)?\w+\s+(\w+)\s*=\s*\d+;/gm)].map((m) => m[1]);
  expect(fields).toEqual(['run_as_user', 'run_as_group', 'run_as_non_root']);
  expect(body).toContain('reserved 3, 4, 5;');
});

test('Kubeflow: namespaceEnforcesRestricted says admission enforces the profile and silences the warning', () => {
  const chart = new Chart(Testing.app(), 'kfp', { namespace: 'team-ml' });
  new MlPipeline(chart, 'Iris', { pipeline: irisPipeline(), engine: Engine.kubeflow({ defaultImage: IMAGE, namespaceEnforcesRestricted: true }), apiServer });
  Testing.synth(chart);
  expect(SynthWarnings.of(chart)).toEqual([]);
  const warned = new Chart(Testing.app(), 'kfp', { namespace: 'team-ml' });
  new MlPipeline(warned, 'Iris', { pipeline: irisPipeline(), engine: Engine.kubeflow({ defaultImage: IMAGE }), apiServer });
  Testing.synth(warned);
  expect(SynthWarnings.of(warned)).toEqual([
    "[kfp/Iris] Kubeflow step pods may not pass Pod Security 'restricted': KFP's platform spec (kubernetes_executor_config SecurityContext, KFP 2.17) sets only runAsUser, runAsGroup and runAsNonRoot on the step container, so allowPrivilegeEscalation: false, seccompProfile RuntimeDefault and readOnlyRootFilesystem are left to KFP's backend (the proto says it drops all capabilities), as are the launcher and Argo executor containers KFP adds. To have the cluster enforce it, label the namespace: kubectl label namespace team-ml pod-security.kubernetes.io/enforce=restricted (pods that do not pass are then rejected, so check KFP's own pods run there first), and set Engine.kubeflow({ namespaceEnforcesRestricted: true })",
  ]);
});

describe('the broad-egress oracle itself', () => {
  const policy = (egress: Json[], annotations?: Json): Json => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', annotations }, spec: { podSelector: {}, policyTypes: ['Egress'], egress } });

  test('flags 0.0.0.0/0, ::/0 and a rule without `to`, unless the annotation says who asked', () => {
    expect(broadEgressProblems(policy([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }]))).toEqual(["NetworkPolicy 'p': egress rule 0 reaches every address (0.0.0.0/0) without the mlops.cdk.io/egress annotation saying who asked for it"]);
    expect(broadEgressProblems(policy([{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }, { ipBlock: { cidr: '::/0' } }] }]))).toHaveLength(1);
    expect(broadEgressProblems(policy([{ ports: [{ port: 443 }] }]))).toEqual(["NetworkPolicy 'p': egress rule 0 reaches every address ((no `to`: every destination)) without the mlops.cdk.io/egress annotation saying who asked for it"]);
    expect(broadEgressProblems(policy([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }], { 'mlops.cdk.io/egress': "anywhere on TCP 443 (asked for by MlPipeline 'P' prop apiServer)" }))).toEqual([]);
    expect(broadEgressProblems(policy([{ to: [{ ipBlock: { cidr: '10.0.0.1/32' } }] }]))).toEqual([]);
  });
});

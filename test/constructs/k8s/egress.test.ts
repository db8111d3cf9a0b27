import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { ArgoWorkflows, ArtifactRepository, Engine, MlPipeline, MlPipelineProps, NetworkEndpoint, SynthWarnings } from '../../../constructs/k8s';
import { Code, Pipeline, Step } from '../../../lib';
import { askedForAnywhere, broadEgressProblems, validateManifests } from '../../support/k8s';
import { errorOf } from '../../support/errors';

jest.spyOn(console, 'warn').mockImplementation(() => undefined);

type Json = { [key: string]: any };

const code = Code.fromDirectory(path.join(__dirname, '..', '..', 'fixtures', 'steps'));
const IMAGE = 'python:3.12-slim';

function simple(): Pipeline {
  const p = new Pipeline('simple');
  p.addStep(Step.script('one', { code, entry: 'noop.py' }));
  return p;
}

function synth(props: Partial<MlPipelineProps> = {}): { chart: Chart; objects: Json[] } {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  new MlPipeline(chart, 'P', { pipeline: simple(), engine: Engine.argo({ defaultImage: IMAGE }), ...props });
  return { chart, objects: Testing.synth(chart) };
}

const allow = (objects: Json[], name: string) => objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name)!;

describe('NetworkEndpoint: a block of every address only by name', () => {
  test('ipBlock and apiServer refuse /0, IPv4 and IPv6, and point at anywhere()', () => {
    expect(errorOf(() => NetworkEndpoint.ipBlock('0.0.0.0/0', [443]))).toBe("NetworkEndpoint.ipBlock: cidr '0.0.0.0/0' covers every address, which would open egress to anywhere without saying so; give the destination's own CIDR, or ask for it by name with NetworkEndpoint.anywhere(ports)");
    expect(errorOf(() => NetworkEndpoint.apiServer('::/0'))).toBe("NetworkEndpoint.apiServer: cidr '::/0' covers every address, which would open egress to anywhere without saying so; give the destination's own CIDR, or ask for it by name with NetworkEndpoint.anywhere(ports)");
  });

  test('a CIDR that is not one, an except that is not one, and bad ports are refused together', () => {
    expect(errorOf(() => NetworkEndpoint.ipBlock('10.0.0.300/8', [0, 70000], { except: ['nope'] }))).toBe([
      'NetworkEndpoint.ipBlock:',
      "  - cidr \"10.0.0.300/8\" is not a CIDR (allowed: an IPv4 or IPv6 block such as '10.0.0.1/32' or 'fd00::/64')",
      "  - except \"nope\" is not a CIDR (allowed: an IPv4 or IPv6 block such as '10.0.0.1/32' or 'fd00::/64')",
      "  - ipBlock '10.0.0.300/8': port 0 is invalid (allowed: a whole number 1-65535)",
      "  - ipBlock '10.0.0.300/8': port 70000 is invalid (allowed: a whole number 1-65535)",
    ].join('\n'));
    expect(errorOf(() => NetworkEndpoint.anywhere([]))).toBe('NetworkEndpoint.anywhere: anywhere: ports [] is invalid (allowed: a non-empty list of port numbers 1-65535)');
    expect(NetworkEndpoint.ipBlock('fd00::/64', [443])._peers()).toEqual([{ ipBlock: { cidr: 'fd00::/64' } }]);
  });

  test('apiServer takes the CIDR and, by default, ports 443 and 6443', () => {
    const endpoint = NetworkEndpoint.apiServer('192.168.49.2/32');
    expect([endpoint._peers(), endpoint.ports]).toEqual([[{ ipBlock: { cidr: '192.168.49.2/32' } }], [443, 6443]]);
    expect(NetworkEndpoint.apiServer('172.20.0.0/16', [443]).ports).toEqual([443]);
  });
});

describe('defaults are closed', () => {
  test('no apiServer: the step and run pods get DNS (and the store) but no API server, and synth says what happens and how to fix it', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    const p = new MlPipeline(chart, 'P', { pipeline: simple(), engine: Engine.argo({ defaultImage: IMAGE, artifactStore: NetworkEndpoint.pods({ namespace: 'minio', ports: [9000] }) }) });
    p.addRunJob('retrain');
    const objects: Json[] = Testing.synth(chart);
    expect(allow(objects, 'simple-steps-allow').spec.egress.map((e: Json) => e.to)).toEqual([
      [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'minio' } }, podSelector: {} }],
    ]);
    expect(allow(objects, 'simple-runner-allow')).toBeUndefined();
    expect(objects.find((o) => o.metadata.name === 'simple-runner-deny-all')!.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(SynthWarnings.of(chart)).toEqual([
      "[test/P] NetworkPolicy 'simple-steps-allow' allows no egress to the Kubernetes API server (no apiServer given, and its address is no pod a policy can select), so step pods cannot report their results (and Argo run jobs cannot submit) where the cluster enforces NetworkPolicies; set apiServer: NetworkEndpoint.apiServer('<CIDR>') with the addresses of 'kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes', or NetworkEndpoint.anywhere([443, 6443]) by name, or networkPolicies: false",
    ]);
  });

  test('Argo without a controller or artifactStore: no egress to a store is guessed, and synth warns', () => {
    const { chart, objects } = synth({ apiServer: NetworkEndpoint.apiServer('10.0.0.1/32') });
    expect(allow(objects, 'simple-steps-allow').spec.egress).toHaveLength(2);
    expect(SynthWarnings.of(chart)).toEqual([
      "[test/P] NetworkPolicy 'simple-steps-allow' allows no egress to the artifact store: no controller and no artifactStore name the artifact store, so step pods cannot read or write artifacts where the cluster enforces NetworkPolicies; give its address with Engine.argo({ artifactStore: NetworkEndpoint.ipBlock('<cidr>', [443]) }) (or ArtifactRepository.s3({ network })), or ask for NetworkEndpoint.anywhere([443]) by name",
    ]);
  });

  test("a controller's store outside the cluster without network: the controller is named in the warning", () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    const controller = new ArgoWorkflows(chart, 'Argo', { artifactRepository: ArtifactRepository.s3({ bucket: 'ml-artifacts', useSdkCreds: true }), apiServer: NetworkEndpoint.apiServer('10.0.0.1/32') });
    new MlPipeline(chart, 'P', { pipeline: simple(), engine: Engine.argo({ controller, defaultImage: IMAGE }), apiServer: NetworkEndpoint.apiServer('10.0.0.1/32') });
    Testing.synth(chart);
    expect(SynthWarnings.of(chart)).toEqual([expect.stringContaining("allows no egress to the artifact store: the artifact repository of ArgoWorkflows 'Argo' (s3.amazonaws.com) is outside the cluster and names no network")]);
  });

  test('networkPolicies: false: no policies, and no egress warnings', () => {
    const { chart, objects } = synth({ networkPolicies: false });
    expect(objects.filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
    expect(SynthWarnings.of(chart)).toEqual([]);
  });
});

describe('broad egress, asked for by name', () => {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  const controller = new ArgoWorkflows(chart, 'Argo', {
    artifactRepository: ArtifactRepository.s3({ bucket: 'ml-artifacts', useSdkCreds: true, network: NetworkEndpoint.anywhere([443]) }),
    apiServer: NetworkEndpoint.anywhere([443, 6443]),
  });
  new MlPipeline(chart, 'P', { pipeline: simple(), engine: Engine.argo({ controller, defaultImage: IMAGE }), apiServer: NetworkEndpoint.apiServer('10.0.0.1/32') });
  const objects: Json[] = Testing.synth(chart);

  test('the allow policies carry both address families and say who asked, in the mlops.cdk.io/egress annotation', () => {
    expect(askedForAnywhere(allow(objects, 'argo-workflow-controller-allow'))).toBe("anywhere on TCP 443, 6443 (asked for by ArgoWorkflows 'Argo' prop apiServer)");
    expect(askedForAnywhere(allow(objects, 'simple-steps-allow'))).toBe("anywhere on TCP 443 (asked for by the ArtifactRepository of ArgoWorkflows 'Argo' (network))");
    expect(allow(objects, 'simple-steps-allow').spec.egress[2]).toEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: [{ protocol: 'TCP', port: 443 }] });
    expect(objects.flatMap((o) => broadEgressProblems(o))).toEqual([]);
    expect(validateManifests(objects, { argo: 'v4.1.2' })).toEqual([]);
  });

  test('and synth warns, once per policy', () => {
    expect(SynthWarnings.of(chart)).toEqual([
      "[test/Argo] NetworkPolicy 'argo-workflow-controller-allow' lets its pods connect anywhere on TCP 443, 6443 (asked for by ArgoWorkflows 'Argo' prop apiServer); narrow it to the destination with NetworkEndpoint.ipBlock('<cidr>', ports) or NetworkEndpoint.pods({...})",
      "[test/P] NetworkPolicy 'simple-steps-allow' lets its pods connect anywhere on TCP 443 (asked for by the ArtifactRepository of ArgoWorkflows 'Argo' (network)); narrow it to the destination with NetworkEndpoint.ipBlock('<cidr>', ports) or NetworkEndpoint.pods({...})",
    ]);
  });

  test('the warning is printed to stderr with the construct path', () => {
    expect(console.warn).toHaveBeenCalledWith(expect.stringMatching(/^\[WARNING\] \[test\/P\] NetworkPolicy 'simple-steps-allow' lets its pods connect anywhere/));
  });
});

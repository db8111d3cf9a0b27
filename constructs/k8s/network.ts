import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PipelineValidationError } from '../../lib/pipeline/errors';
import { SynthWarnings } from './warnings';

export enum NetworkProtocol {
  TCP = 'TCP',
  UDP = 'UDP',
}

export interface IpBlockOptions {
  /** CIDRs inside the block to leave out. */
  readonly except?: string[];
  /** @default [NetworkProtocol.TCP] */
  readonly protocols?: NetworkProtocol[];
}

export interface PodsEndpointProps {
  /** The pods' namespace. @default the namespace of the policy */
  readonly namespace?: string;
  /** Labels the pods carry. @default every pod in the namespace */
  readonly podLabels?: { [label: string]: string };
  readonly ports: number[];
  /** @default [NetworkProtocol.TCP] */
  readonly protocols?: NetworkProtocol[];
}

/** The annotation an allow policy carries when it lets pods connect anywhere. */
export const EGRESS_ANNOTATION = 'mlops.cdk.io/egress';

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV6_CIDR = /^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*\/(\d{1,3})$/;

/** A problem with a CIDR given to an ipBlock, or undefined. */
function cidrProblem(cidr: unknown, what: string): string | undefined {
  const text = typeof cidr === 'string' ? cidr : '';
  const v4 = IPV4_CIDR.exec(text);
  const v6 = v4 ? undefined : IPV6_CIDR.exec(text);
  const prefix = v4 ? Number(v4[5]) : v6 ? Number(v6[1]) : undefined;
  if (prefix === undefined || (v4 && (prefix > 32 || v4.slice(1, 5).some((o) => Number(o) > 255))) || (v6 && prefix > 128)) {
    return `${what} ${JSON.stringify(cidr)} is not a CIDR (allowed: an IPv4 or IPv6 block such as '10.0.0.1/32' or 'fd00::/64')`;
  }
  if (prefix === 0) {
    return `${what} '${text}' covers every address, which would open egress to anywhere without saying so; give the destination's own CIDR, or ask for it by name with NetworkEndpoint.anywhere(ports)`;
  }
  return undefined;
}

function portProblems(ports: unknown, what: string): string[] {
  if (!Array.isArray(ports) || ports.length === 0) {
    return [`${what}: ports ${JSON.stringify(ports)} is invalid (allowed: a non-empty list of port numbers 1-65535)`];
  }
  return ports
    .filter((p) => !Number.isSafeInteger(p) || p < 1 || p > 65535)
    .map((p) => `${what}: port ${JSON.stringify(p)} is invalid (allowed: a whole number 1-65535)`);
}

function checked(subject: string, problems: (string | undefined)[]): void {
  const found = problems.filter((p): p is string => p !== undefined);
  if (found.length > 0) {
    throw new PipelineValidationError(subject, found);
  }
}

/**
 * Something pods talk to, or that talks to them, as NetworkPolicy peers and ports: an IP block
 * (the API server, an external object store), pods selected by namespace and labels, or, only
 * when asked for by name, anywhere.
 */
export class NetworkEndpoint {
  /** Addresses in a CIDR block, on the given ports. A block of every address (`/0`) is refused: use `anywhere`. */
  public static ipBlock(cidr: string, ports: number[], options: IpBlockOptions = {}): NetworkEndpoint {
    checked('NetworkEndpoint.ipBlock', [
      cidrProblem(cidr, 'cidr'),
      ...(options.except ?? []).map((e) => cidrProblem(e, 'except')),
      ...portProblems(ports, `ipBlock '${cidr}'`),
    ]);
    const ipBlock: k8s.IpBlock = options.except && options.except.length > 0 ? { cidr, except: [...options.except] } : { cidr };
    return new NetworkEndpoint([{ ipBlock }], ports, options.protocols, `${cidr}`, false);
  }

  /** Pods selected by namespace and labels, on the given ports. */
  public static pods(props: PodsEndpointProps): NetworkEndpoint {
    checked('NetworkEndpoint.pods', portProblems(props.ports, `pods in ${props.namespace ?? 'the namespace'}`));
    const podSelector: k8s.LabelSelector = props.podLabels && Object.keys(props.podLabels).length > 0 ? { matchLabels: { ...props.podLabels } } : {};
    const peer: k8s.NetworkPolicyPeer = props.namespace !== undefined
      ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.namespace } }, podSelector }
      : { podSelector };
    return new NetworkEndpoint([peer], props.ports, props.protocols, `pods in ${props.namespace ?? 'the namespace'}`, false);
  }

  /** Cluster DNS: the kube-dns pods in kube-system (CoreDNS keeps that label), port 53 over UDP and TCP. */
  public static clusterDns(): NetworkEndpoint {
    return NetworkEndpoint.pods({ namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [53], protocols: [NetworkProtocol.UDP, NetworkProtocol.TCP] });
  }

  /**
   * The Kubernetes API server at the addresses in `cidr`. Network policies see the API server's
   * endpoint addresses (after the `kubernetes` Service's ClusterIP is translated), which no pod
   * selector matches: give the addresses that
   * `kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes` lists, as a
   * CIDR. @param ports @default [443, 6443]
   */
  public static apiServer(cidr: string, ports: number[] = [443, 6443]): NetworkEndpoint {
    checked('NetworkEndpoint.apiServer', [cidrProblem(cidr, 'cidr'), ...portProblems(ports, `apiServer '${cidr}'`)]);
    return new NetworkEndpoint([{ ipBlock: { cidr } }], ports, undefined, `the API server at ${cidr}`, false);
  }

  /**
   * Any address, IPv4 and IPv6, on the given ports: broad egress, asked for by name. The allow
   * policy that carries it is annotated `mlops.cdk.io/egress` with what asked for it, and synth
   * prints a warning.
   */
  public static anywhere(ports: number[], protocols?: NetworkProtocol[]): NetworkEndpoint {
    checked('NetworkEndpoint.anywhere', portProblems(ports, 'anywhere'));
    return new NetworkEndpoint([{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports, protocols, 'anywhere', true);
  }

  public readonly protocols: NetworkProtocol[];

  private constructor(
    private readonly peers: k8s.NetworkPolicyPeer[],
    public readonly ports: number[],
    protocols: NetworkProtocol[] | undefined,
    /** What it is, for messages. */
    public readonly description: string,
    /** True for `NetworkEndpoint.anywhere`: every address. */
    public readonly isAnywhere: boolean,
  ) {
    this.protocols = protocols && protocols.length > 0 ? [...protocols] : [NetworkProtocol.TCP];
  }

  /** @internal */
  public _peers(): k8s.NetworkPolicyPeer[] {
    return this.peers.map((p) => JSON.parse(JSON.stringify(p)));
  }

  /** @internal */
  public _ports(): k8s.NetworkPolicyPort[] {
    return this.protocols.flatMap((protocol) => this.ports.map((port) => ({ protocol, port: k8s.IntOrString.fromNumber(port) })));
  }

  /** For messages and the egress annotation: 'TCP 443, 6443'. @internal */
  public _portText(): string {
    return `${this.protocols.join('/')} ${this.ports.join(', ')}`;
  }
}

/** One destination of a pod set's egress and the prop that chose it (for the annotation and warnings). */
export interface EgressRule {
  readonly to: NetworkEndpoint;
  /** "MlPipeline 'Iris' prop apiServer". */
  readonly askedBy: string;
}

/**
 * The egress rules every set of pods of a construct starts from: the cluster DNS (or the `dns`
 * prop) and, when the user gave one, the `apiServer` prop, each saying who asked for it.
 */
export function dnsAndApiServerEgress(subject: string, dns: NetworkEndpoint | undefined, apiServer: NetworkEndpoint | undefined): { dns: EgressRule; apiServer?: EgressRule } {
  return {
    dns: { to: dns ?? NetworkEndpoint.clusterDns(), askedBy: dns ? `${subject} prop dns` : 'the cluster DNS default' },
    apiServer: apiServer ? { to: apiServer, askedBy: `${subject} prop apiServer` } : undefined,
  };
}

/**
 * The warning for pods that get no egress to the API server because no `apiServer` was given:
 * `policy` is the NetworkPolicy, `breaks` what then fails.
 */
export function noApiServerWarning(policy: string, breaks: string): string {
  return `NetworkPolicy '${policy}' allows no egress to the Kubernetes API server (no apiServer given, and its address is no pod a policy can select), so ${breaks} where the cluster enforces NetworkPolicies; ` +
    "set apiServer: NetworkEndpoint.apiServer('<CIDR>') with the addresses of 'kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes', or NetworkEndpoint.anywhere([443, 6443]) by name, or networkPolicies: false";
}


export interface IngressRule {
  readonly from: NetworkEndpoint;
  readonly ports: number[];
}

export interface PodNetworkPolicyProps {
  readonly name: string;
  readonly namespace?: string;
  readonly podLabels: { [label: string]: string };
  readonly labels: { [label: string]: string };
  /** Where the pods may connect to. */
  readonly egress?: EgressRule[];
  /** Who may connect to the pods, and on which of the pods' ports. */
  readonly ingress?: IngressRule[];
}

/**
 * For one set of pods: a policy denying all traffic in both directions (`<name>-deny-all`), and
 * one allowing exactly the listed endpoints (`<name>-allow`). Kubernetes unions policies, so the
 * pods get the allows and nothing else, whatever else the namespace holds. An endpoint that is
 * `anywhere` is written into the allow policy's `mlops.cdk.io/egress` annotation and warned about.
 */
export function podNetworkPolicies(scope: Construct, id: string, props: PodNetworkPolicyProps): ApiObject[] {
  const podSelector = { matchLabels: { ...props.podLabels } };
  const metadata = (suffix: string, annotations?: { [key: string]: string }) => ({ name: `${props.name}-${suffix}`, namespace: props.namespace, labels: { ...props.labels }, annotations });
  const deny = new k8s.KubeNetworkPolicy(scope, `${id}DenyAll`, {
    metadata: metadata('deny-all'),
    spec: { podSelector, policyTypes: ['Ingress', 'Egress'] },
  });
  const egress = props.egress ?? [];
  const ingress = props.ingress ?? [];
  const policyTypes = [...(ingress.length > 0 ? ['Ingress'] : []), ...(egress.length > 0 ? ['Egress'] : [])];
  if (policyTypes.length === 0) {
    return [deny];
  }
  const broad = egress.filter((e) => e.to.isAnywhere).map((e) => `anywhere on ${e.to._portText()} (asked for by ${e.askedBy})`);
  const allowName = `${props.name}-allow`;
  for (const text of broad) {
    SynthWarnings.add(scope, `NetworkPolicy '${allowName}' lets its pods connect ${text}; narrow it to the destination with NetworkEndpoint.ipBlock('<cidr>', ports) or NetworkEndpoint.pods({...})`);
  }
  const allow = new k8s.KubeNetworkPolicy(scope, `${id}Allow`, {
    metadata: metadata('allow', broad.length > 0 ? { [EGRESS_ANNOTATION]: broad.join('; ') } : undefined),
    spec: {
      podSelector,
      policyTypes,
      ingress: ingress.length > 0 ? ingress.map((rule) => ({ from: rule.from._peers(), ports: rule.ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })) })) : undefined,
      egress: egress.length > 0 ? egress.map((e) => ({ to: e.to._peers(), ports: e.to._ports() })) : undefined,
    },
  });
  return [deny, allow];
}

import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

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

/**
 * Something pods talk to, or that talks to them, as NetworkPolicy peers and ports: an IP block
 * (the API server, an external object store) or pods selected by namespace and labels.
 */
export class NetworkEndpoint {
  /** Addresses in a CIDR block, on the given ports. */
  public static ipBlock(cidr: string, ports: number[], options: IpBlockOptions = {}): NetworkEndpoint {
    const ipBlock: k8s.IpBlock = options.except && options.except.length > 0 ? { cidr, except: [...options.except] } : { cidr };
    return new NetworkEndpoint([{ ipBlock }], ports, options.protocols, `${cidr}`);
  }

  /** Pods selected by namespace and labels, on the given ports. */
  public static pods(props: PodsEndpointProps): NetworkEndpoint {
    const podSelector: k8s.LabelSelector = props.podLabels && Object.keys(props.podLabels).length > 0 ? { matchLabels: { ...props.podLabels } } : {};
    const peer: k8s.NetworkPolicyPeer = props.namespace !== undefined
      ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.namespace } }, podSelector }
      : { podSelector };
    return new NetworkEndpoint([peer], props.ports, props.protocols, `pods in ${props.namespace ?? 'the namespace'}`);
  }

  /** Cluster DNS: the kube-dns pods in kube-system (CoreDNS keeps that label), port 53 over UDP and TCP. */
  public static clusterDns(): NetworkEndpoint {
    return NetworkEndpoint.pods({ namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [53], protocols: [NetworkProtocol.UDP, NetworkProtocol.TCP] });
  }

  /**
   * The Kubernetes API server. Its address is outside any pod selector, so by default this is any
   * address on 443 and 6443; narrow it to your control plane's CIDR where you know it.
   */
  public static apiServer(cidr = '0.0.0.0/0'): NetworkEndpoint {
    return NetworkEndpoint.ipBlock(cidr, [443, 6443]);
  }

  public readonly protocols: NetworkProtocol[];

  private constructor(
    private readonly peers: k8s.NetworkPolicyPeer[],
    public readonly ports: number[],
    protocols: NetworkProtocol[] | undefined,
    /** What it is, for messages. */
    public readonly description: string,
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
  readonly egress?: NetworkEndpoint[];
  /** Who may connect to the pods, and on which of the pods' ports. */
  readonly ingress?: IngressRule[];
}

/**
 * For one set of pods: a policy denying all traffic in both directions (`<name>-deny-all`), and
 * one allowing exactly the listed endpoints (`<name>-allow`). Kubernetes unions policies, so the
 * pods get the allows and nothing else, whatever else the namespace holds.
 */
export function podNetworkPolicies(scope: Construct, id: string, props: PodNetworkPolicyProps): ApiObject[] {
  const podSelector = { matchLabels: { ...props.podLabels } };
  const metadata = (suffix: string) => ({ name: `${props.name}-${suffix}`, namespace: props.namespace, labels: { ...props.labels } });
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
  const allow = new k8s.KubeNetworkPolicy(scope, `${id}Allow`, {
    metadata: metadata('allow'),
    spec: {
      podSelector,
      policyTypes,
      ingress: ingress.length > 0 ? ingress.map((rule) => ({ from: rule.from._peers(), ports: rule.ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })) })) : undefined,
      egress: egress.length > 0 ? egress.map((e) => ({ to: e._peers(), ports: e._ports() })) : undefined,
    },
  });
  return [deny, allow];
}

import { PipelineValidationError } from '../../lib/pipeline/errors';
import { NetworkEndpoint } from './network';

/** A key in a Kubernetes Secret. Credentials are only ever referenced, never written into manifests. */
export interface SecretKeyRef {
  /** The Secret's name, in the namespace of the pods that use it. */
  readonly name: string;
  readonly key: string;
}

export interface S3ArtifactRepositoryProps {
  readonly bucket: string;
  /** host[:port] of the S3 API. @default 's3.amazonaws.com' */
  readonly endpoint?: string;
  readonly region?: string;
  /** Plain HTTP, e.g. an in-cluster MinIO without TLS. @default false */
  readonly insecure?: boolean;
  /** Key layout of step artifacts. @default Argo's default, '{{workflow.name}}/{{pod.name}}' */
  readonly keyFormat?: string;
  /** Secret key holding the access key id. Give both keys, or neither with useSdkCreds. */
  readonly accessKeySecret?: SecretKeyRef;
  /** Secret key holding the secret access key. */
  readonly secretKeySecret?: SecretKeyRef;
  /** Use the pod's cloud identity (IRSA, workload identity) instead of keys. @default false */
  readonly useSdkCreds?: boolean;
  /**
   * Where pods reach the store, for NetworkPolicies. An endpoint outside the cluster (AWS S3, a
   * MinIO elsewhere) has no address a policy can derive: give its CIDR with
   * `NetworkEndpoint.ipBlock(...)` (e.g. an S3 VPC endpoint's subnet), or `NetworkEndpoint.anywhere([443])`
   * to ask for broad egress by name.
   * @default pods of the endpoint's namespace for in-cluster endpoints (`<service>.<namespace>.svc[.cluster.local][:port]`), else none: step pods get no egress to the store, and synth warns
   */
  readonly network?: NetworkEndpoint;
}

/** Where Argo keeps step artifacts and registered models: an S3-compatible object store. */
export class ArtifactRepository {
  public static s3(props: S3ArtifactRepositoryProps): ArtifactRepository {
    return new ArtifactRepository(props);
  }

  public readonly endpoint: string;
  /** Where pods reach the store; undefined for an endpoint outside the cluster that `network` does not name. */
  public readonly network?: NetworkEndpoint;

  private constructor(private readonly props: S3ArtifactRepositoryProps) {
    const problems: string[] = [];
    if (typeof props.bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(props.bucket)) {
      problems.push(`bucket ${JSON.stringify(props.bucket)} is not an S3 bucket name (3-63 lowercase letters, digits, '.' and '-')`);
    }
    const keys = [props.accessKeySecret, props.secretKeySecret].filter((k) => k !== undefined).length;
    if (keys === 1) {
      problems.push('give both accessKeySecret and secretKeySecret, or neither');
    }
    if (keys === 0 && !props.useSdkCreds) {
      problems.push('no credentials: reference a Secret with accessKeySecret and secretKeySecret, or set useSdkCreds for the pods\' cloud identity');
    }
    for (const ref of [props.accessKeySecret, props.secretKeySecret]) {
      if (ref && (!ref.name || !ref.key)) {
        problems.push(`Secret reference ${JSON.stringify(ref)} needs a name and a key`);
      }
    }
    this.endpoint = props.endpoint ?? 's3.amazonaws.com';
    if (/^[a-z]+:\/\//i.test(this.endpoint)) {
      problems.push(`endpoint '${this.endpoint}' has a scheme; give host[:port] and set insecure for plain HTTP`);
    }
    if (problems.length > 0) {
      throw new PipelineValidationError('ArtifactRepository.s3', problems);
    }
    this.network = props.network ?? defaultNetwork(this.endpoint, props.insecure ?? false);
  }

  /** The bucket step artifacts go to. */
  public get bucket(): string {
    return this.props.bucket;
  }

  /** The Secret names pods and the controller read credentials from. */
  public get secretNames(): string[] {
    return [...new Set([this.props.accessKeySecret?.name, this.props.secretKeySecret?.name].filter((n): n is string => !!n))].sort();
  }

  /** The `artifactRepository` entry of Argo's controller configuration. @internal */
  public _argoConfig(): { [key: string]: any } {
    const p = this.props;
    return {
      archiveLogs: true,
      s3: Object.fromEntries(Object.entries({
        bucket: p.bucket,
        endpoint: this.endpoint,
        region: p.region,
        insecure: p.insecure ?? false,
        keyFormat: p.keyFormat,
        useSDKCreds: p.useSdkCreds,
        accessKeySecret: p.accessKeySecret && { name: p.accessKeySecret.name, key: p.accessKeySecret.key },
        secretKeySecret: p.secretKeySecret && { name: p.secretKeySecret.name, key: p.secretKeySecret.key },
      }).filter(([, v]) => v !== undefined)),
    };
  }
}

function defaultNetwork(endpoint: string, insecure: boolean): NetworkEndpoint | undefined {
  const [host, portText] = endpoint.split(':');
  const port = portText ? Number(portText) : insecure ? 80 : 443;
  const parts = host.split('.');
  // <service>.<namespace>.svc[.cluster.local]: a Service in the cluster.
  const inCluster = parts.length >= 3 && parts[2] === 'svc';
  return inCluster ? NetworkEndpoint.pods({ namespace: parts[1], ports: [port] }) : undefined;
}

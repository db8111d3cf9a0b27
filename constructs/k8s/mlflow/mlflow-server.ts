import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { brand, K8S_TRACKING_SERVER_BRAND } from '../../../lib/pipeline/brand';
import { PipelineValidationError } from '../../../lib/pipeline/errors';
import { EgressRule, NetworkEndpoint, podNetworkPolicies } from '../network';
import { MANAGED_BY } from '../security';
import { collisionProblems, registerObjectOwner } from '../uniqueness';
import { MlflowArtifactStoreKind } from './artifact-store';
import { MlflowBackendStoreKind } from './backend-store';
import { DEFAULT_MLFLOW_IMAGE, POSTGRES_PORT } from './constants';
import { renderPostgres } from './postgres';
import { MlflowServerProps } from './props';
import { renderServer, serverAllowedHosts } from './server-pod';
import { serverNameOf, serverProblems } from './validate';

/**
 * An MLflow tracking server on Kubernetes: `mlflow server` as a Deployment behind a Service,
 * its backend store (a Postgres StatefulSet it runs, or a database of yours by URI) and its
 * artifact store (a PersistentVolumeClaim or S3), which it proxies to clients. Every pod passes
 * Pod Security 'restricted' and is fenced by default-deny NetworkPolicies: clients reach the
 * server only from pods labelled with `clientLabels` (or `allowClientsFrom`), Postgres only from
 * the server, and the server reaches only the DNS, its database and its artifact store.
 */
export class MlflowServer extends Construct {
  /** The label (valued with `clientLabels`' value) that lets a pod call the server. */
  public static readonly CLIENT_LABEL = 'mlops.cdk.io/mlflow-client';

  /** Base name of the objects, and the Service's name. */
  public readonly name: string;
  public readonly namespace: string;
  /** The URL clients set as MLFLOW_TRACKING_URI: 'http://<name>.<namespace>.svc:<port>'. */
  public readonly trackingUri: string;
  /** The labels a pod in the namespace needs to call the server. */
  public readonly clientLabels: { [key: string]: string };
  /** The Postgres Service, for MlflowBackendStore.postgres. */
  public readonly postgresServiceName?: string;
  /** The artifact PersistentVolumeClaim, for MlflowArtifactStore.persistentVolume. */
  public readonly artifactClaimName?: string;
  /** The server's pods and port, for a client's egress NetworkPolicy. */
  public readonly endpoint: NetworkEndpoint;

  constructor(scope: Construct, id: string, props: MlflowServerProps) {
    super(scope, id);
    const subject = `MlflowServer '${this.node.path}'`;
    const namespace = props.namespace ?? Chart.of(this).namespace;
    const problems = serverProblems(id, props, namespace);
    if (problems.length > 0) {
      throw new PipelineValidationError(subject, problems);
    }
    const name = serverNameOf(id, props);
    const ns = namespace!;
    const port = props.port ?? 5000;
    this.name = name;
    this.namespace = ns;
    this.trackingUri = `http://${name}.${ns}.svc:${port}`;
    this.clientLabels = { [MlflowServer.CLIENT_LABEL]: name };
    registerObjectOwner(this, {
      title: `MlflowServer '${id}'`,
      baseName: name,
      givenName: props.name ?? id,
      nameOrigin: props.name !== undefined ? `props.name '${props.name}'` : `the construct id '${id}', lowercased`,
      fix: `Give each MlflowServer its own name with props.name (e.g. name: '${name}-2'), or put them in different namespaces.`,
      renderObjects: () => undefined,
    });
    this.node.addValidation({ validate: () => collisionProblems(this) });

    const labels = { ...MANAGED_BY, 'mlops.cdk.io/mlflow': name };
    const pods = {
      server: { ...labels, 'app.kubernetes.io/component': 'mlflow-server' },
      postgres: { ...labels, 'app.kubernetes.io/component': 'postgres' },
    };
    this.endpoint = NetworkEndpoint.pods({ namespace: ns, podLabels: pods.server, ports: [port] });
    const postgres = props.backendStore.kind === MlflowBackendStoreKind.POSTGRES;
    const store = props.artifactStore;
    if (postgres) {
      this.postgresServiceName = `${name}-postgres`;
      renderPostgres(this, { name: this.postgresServiceName, namespace: ns, labels, podLabels: pods.postgres, store: props.backendStore });
    }
    if (store.kind === MlflowArtifactStoreKind.PERSISTENT_VOLUME) {
      const volume = store._volume!;
      this.artifactClaimName = `${name}-artifacts`;
      new k8s.KubePersistentVolumeClaim(this, 'Artifacts', {
        metadata: { name: this.artifactClaimName, namespace: ns, labels },
        spec: {
          accessModes: [volume.readWriteMany ? 'ReadWriteMany' : 'ReadWriteOnce'],
          storageClassName: volume.storageClassName,
          resources: { requests: { storage: k8s.Quantity.fromString(volume.size ?? '20Gi') } },
        },
      });
    }
    renderServer(this, {
      name,
      namespace: ns,
      labels,
      podLabels: pods.server,
      image: props.image ?? DEFAULT_MLFLOW_IMAGE,
      port,
      replicas: props.replicas ?? 1,
      workers: props.workers ?? 2,
      cpu: props.cpu ?? '500m',
      memory: props.memory ?? '1Gi',
      runAsUser: props.runAsUser ?? 1000,
      allowedHosts: serverAllowedHosts(name, ns, port, props.allowedHosts ?? []),
      corsAllowedOrigins: props.corsAllowedOrigins ?? [],
      backendStore: props.backendStore,
      artifactStore: store,
      postgresHost: this.postgresServiceName,
      artifactClaim: this.artifactClaimName,
    });

    const egress: EgressRule[] = [
      { to: props.dns ?? NetworkEndpoint.clusterDns(), askedBy: props.dns ? `${subject} prop dns` : 'the cluster DNS default' },
      postgres
        ? { to: NetworkEndpoint.pods({ podLabels: pods.postgres, ports: [POSTGRES_PORT] }), askedBy: `${subject} (Postgres)` }
        : { to: props.backendStore._network!, askedBy: `${subject} prop backendStore (network)` },
      ...(store._s3 ? [{ to: store._s3.network, askedBy: `${subject} prop artifactStore (network)` }] : []),
    ];
    podNetworkPolicies(this, 'ServerPolicy', {
      name, namespace: ns, labels, podLabels: pods.server, egress,
      ingress: [NetworkEndpoint.pods({ podLabels: this.clientLabels, ports: [port] }), ...(props.allowClientsFrom ?? [])]
        .map((from) => ({ from, ports: [port] })),
    });
    if (postgres) {
      podNetworkPolicies(this, 'PostgresPolicy', {
        name: this.postgresServiceName!, namespace: ns, labels, podLabels: pods.postgres,
        ingress: [{ from: NetworkEndpoint.pods({ podLabels: pods.server, ports: [POSTGRES_PORT] }), ports: [POSTGRES_PORT] }],
      });
    }
  }
}

brand(MlflowServer, K8S_TRACKING_SERVER_BRAND);

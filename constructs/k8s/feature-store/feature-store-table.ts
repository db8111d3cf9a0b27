import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { cronSchedule } from '../../../lib/kubernetes';
import { PipelineValidationError } from '../../../lib/pipeline/errors';
import { Schedule } from '../../../lib/pipeline/schedule';
import { shortHash } from '../names';
import { dnsAndApiServerEgress, NetworkEndpoint, podNetworkPolicies } from '../network';
import { MANAGED_BY } from '../security';
import { SynthWarnings } from '../warnings';
import { DEFAULT_FEAST_IMAGE, renderFeatureServer, renderMaterialization } from './feast-pods';
import { FEATURE_SERVER_PORT, featureDefinitionsPy, featureStoreYaml, REDIS_PORT } from './feast-repo';
import { OfflineStoreKind } from './offline-store';
import { FeatureStoreTableProps } from './props';
import { DEFAULT_REDIS_IMAGE, renderRedis } from './redis';
import { tableBase, tableNameOf, tableProblems, ttlSecondsOf } from './validate';

/**
 * A feature table on Kubernetes as a Feast deployment, from the same props as on AWS: a ConfigMap
 * with the Feast feature repository (feature_store.yaml and the definitions), and as asked for a
 * Redis online store with a Feast feature server, an offline store of Parquet files (on a
 * PersistentVolumeClaim or in S3), and a CronJob materializing offline records into Redis. Every
 * pod passes Pod Security 'restricted' and is fenced by default-deny NetworkPolicies.
 */
export class FeatureStoreTable extends Construct {
  /** The label (valued with `clientLabels`' value) that lets a pod call the feature server. */
  public static readonly CLIENT_LABEL = 'mlops.cdk.io/feature-store-client';

  /** The Feast project and FeatureView name. */
  public readonly tableName: string;
  /** The labels a pod in the namespace needs to call the feature server. */
  public readonly clientLabels: { [key: string]: string };
  /** The ConfigMap holding the feature repository. */
  public readonly repoConfigMapName: string;
  /** The feature server's URL inside the cluster, when there is an online store. */
  public readonly featureServerUrl?: string;
  /** The name of the offline PersistentVolumeClaim, for OfflineStore.persistentVolume. */
  public readonly offlineClaimName?: string;

  constructor(scope: Construct, id: string, props: FeatureStoreTableProps) {
    super(scope, id);
    const problems = tableProblems(id, props);
    if (problems.length > 0) {
      throw new PipelineValidationError(`FeatureStoreTable '${this.node.path}'`, problems);
    }
    const table = tableNameOf(id, props);
    const base = tableBase(table);
    const namespace = props.namespace ?? Chart.of(this).namespace;
    const labels = { ...MANAGED_BY, 'mlops.cdk.io/feature-store': base };
    const podLabels = (component: string) => ({ ...labels, 'app.kubernetes.io/component': component });
    const names = { repo: `${base}-feast-repo`, redis: `${base}-redis`, server: `${base}-feature-server`, materialize: `${base}-materialize`, offline: `${base}-offline` };
    this.tableName = table;
    this.clientLabels = { [FeatureStoreTable.CLIENT_LABEL]: base };
    this.repoConfigMapName = names.repo;

    const online = props.online;
    const ttlSeconds = online ? ttlSecondsOf(online.ttl) as number : undefined;
    const input = {
      table,
      madeBy: `FeatureStoreTable '${this.node.path}'`,
      recordIdentifier: props.recordIdentifier,
      eventTime: props.eventTime,
      features: props.features,
      redisAddress: online ? `${names.redis}:${REDIS_PORT}` : undefined,
      ttlSeconds,
      offline: props.offline,
    };
    const files: { [file: string]: string } = { 'feature_store.yaml': featureStoreYaml(input), [`${table}_features.py`]: featureDefinitionsPy(input) };
    new k8s.KubeConfigMap(this, 'Repo', { metadata: { name: names.repo, namespace, labels }, data: files });

    const volume = props.offline?.kind === OfflineStoreKind.PERSISTENT_VOLUME ? props.offline._volume! : undefined;
    if (volume) {
      this.offlineClaimName = names.offline;
      new k8s.KubePersistentVolumeClaim(this, 'Offline', {
        metadata: { name: names.offline, namespace, labels },
        spec: {
          accessModes: [volume.readWriteMany ? 'ReadWriteMany' : 'ReadWriteOnce'],
          storageClassName: volume.storageClassName,
          resources: { requests: { storage: k8s.Quantity.fromString(volume.size ?? '10Gi') } },
        },
      });
    }
    if (!online) {
      return;
    }

    this.featureServerUrl = `http://${names.server}${namespace ? `.${namespace}.svc` : ''}:${FEATURE_SERVER_PORT}`;
    const pods = { redis: podLabels('redis'), server: podLabels('feature-server'), materialize: podLabels('materialize') };
    const feastPod = {
      namespace,
      labels,
      image: props.feastImage ?? DEFAULT_FEAST_IMAGE,
      repoConfigMap: names.repo,
      repoFiles: Object.keys(files),
      repoHash: shortHash(JSON.stringify(files)),
      redisPassword: online.redisPassword,
    };
    renderRedis(this, { name: names.redis, namespace, labels, podLabels: pods.redis, image: props.redisImage ?? DEFAULT_REDIS_IMAGE, online });
    renderFeatureServer(this, { ...feastPod, name: names.server, podLabels: pods.server, replicas: online.featureServerReplicas ?? 1 });
    const schedule = props.offline ? cronSchedule(props.materializeSchedule ?? Schedule.hourly()) : undefined;
    if (props.offline?.kind === OfflineStoreKind.S3 && props.feastImage === undefined) {
      // Feast reads s3:// Parquet through dask and fsspec, whose S3 protocol is the s3fs package;
      // feast[minimal], which the image installs, does not require it.
      SynthWarnings.add(this, `the offline store is in S3, but ${DEFAULT_FEAST_IMAGE} installs feast[minimal], which does not include s3fs, so materialization may fail with 'Install s3fs to access S3'; ` +
        `set feastImage to an image built FROM ${DEFAULT_FEAST_IMAGE} with 'pip install s3fs'`);
    }
    if (props.offline && schedule) {
      renderMaterialization(this, {
        ...feastPod,
        name: names.materialize,
        podLabels: pods.materialize,
        schedule: { cron: schedule.schedule!, timeZone: (props.materializeSchedule ?? Schedule.hourly()).timeZone },
        offline: props.offline,
        offlineClaim: volume ? names.offline : undefined,
      });
    }

    const subject = `FeatureStoreTable '${this.node.path}'`;
    const { dns } = dnsAndApiServerEgress(subject, props.dns, undefined);
    const toRedis = { to: NetworkEndpoint.pods({ podLabels: pods.redis, ports: [REDIS_PORT] }), askedBy: `${subject} (Redis)` };
    const feastClients = [pods.server, ...(schedule ? [pods.materialize] : [])];
    podNetworkPolicies(this, 'Redis', {
      name: names.redis, namespace, labels, podLabels: pods.redis,
      ingress: feastClients.map((from) => ({ from: NetworkEndpoint.pods({ podLabels: from, ports: [REDIS_PORT] }), ports: [REDIS_PORT] })),
    });
    podNetworkPolicies(this, 'FeatureServer', {
      name: names.server, namespace, labels, podLabels: pods.server,
      egress: [dns, toRedis],
      ingress: [NetworkEndpoint.pods({ podLabels: this.clientLabels, ports: [FEATURE_SERVER_PORT] }), ...(props.allowClientsFrom ?? [])]
        .map((from) => ({ from, ports: [FEATURE_SERVER_PORT] })),
    });
    if (schedule) {
      const s3 = props.offline?._s3;
      podNetworkPolicies(this, 'Materialize', {
        name: names.materialize, namespace, labels, podLabels: pods.materialize,
        egress: [dns, toRedis, ...(s3 ? [{ to: s3.network, askedBy: `${subject} prop offline (network)` }] : [])],
      });
    }
  }
}

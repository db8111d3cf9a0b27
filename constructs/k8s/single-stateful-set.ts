import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { restrictedPodSecurityContext } from './security';

export interface SingleStatefulSetProps {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: { [key: string]: string };
  readonly podLabels: { [key: string]: string };
  /** The one port, by name and number, on the Service and the container. */
  readonly portName: string;
  readonly port: number;
  /** uid and gid of the pod (the image's own non-root user). */
  readonly runAsUser: number;
  /** The container; its volume `data` is the claim below. */
  readonly container: k8s.Container;
  readonly volumes?: k8s.Volume[];
  /** The claim `data`'s size and class. */
  readonly storage: string;
  readonly storageClassName?: string;
}

/**
 * One replica of a store (Redis, Postgres) as a StatefulSet whose claim `data` is kept when the
 * set is deleted or scaled down, behind a headless Service of the same name; the pod gets no
 * service account token and no service links, and runs as `runAsUser` under Pod Security
 * 'restricted'. The objects' ids are `<id>Service` and `<id>`.
 */
export function renderSingleStatefulSet(scope: Construct, id: string, props: SingleStatefulSetProps): void {
  const metadata = { name: props.name, namespace: props.namespace, labels: { ...props.labels } };
  new k8s.KubeService(scope, `${id}Service`, {
    metadata,
    spec: {
      clusterIp: 'None',
      selector: { ...props.podLabels },
      ports: [{ name: props.portName, port: props.port, targetPort: k8s.IntOrString.fromNumber(props.port), protocol: 'TCP' }],
    },
  });
  new k8s.KubeStatefulSet(scope, id, {
    metadata,
    spec: {
      serviceName: props.name,
      replicas: 1,
      selector: { matchLabels: { ...props.podLabels } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels: { ...props.podLabels } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: restrictedPodSecurityContext(props.runAsUser),
          containers: [props.container],
          volumes: props.volumes,
        },
      },
      volumeClaimTemplates: [{
        metadata: { name: 'data', labels: { ...props.labels } },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: props.storageClassName,
          resources: { requests: { storage: k8s.Quantity.fromString(props.storage) } },
        },
      }],
    },
  });
}

import { cpuQuantity, gibQuantity, gpuPlacement } from '../../../lib/kubernetes';
import { MODEL_URI_ANNOTATION, MODEL_VERSION_ANNOTATION } from '../../../lib/kubernetes/endpoint-hand-off';
import { Resources } from '../../../lib/pipeline/resources';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security';
import { ServedModel } from './served-model';

type Json = { [key: string]: any };

/** Server pods when the props say nothing: enough for a small scikit-learn or XGBoost model. */
export const DEFAULT_SERVER_RESOURCES: Resources = { cpu: 1, memoryGiB: 2 };

export interface ServerPodOptions {
  readonly containerName: string;
  readonly model: ServedModel;
  readonly resources: Resources;
  readonly runAsUser: number;
  readonly serviceAccountName: string;
  /** The metrics port, declared as a second container port when it differs (not on Knative, which allows one). */
  readonly metricsPort?: number;
  /** The serving port's name: 'http' (the Services target it), or Knative's 'http1'. */
  readonly portName: string;
  /** More environment variables before the user's (KServe's STORAGE_URI). */
  readonly extraEnv?: { [name: string]: string };
}

/**
 * The server pod's spec, Pod Security 'restricted': numeric non-root user, seccomp RuntimeDefault,
 * no privilege escalation, no capabilities, a read-only root filesystem with a writable /tmp, no
 * service account token (the server calls no Kubernetes API), requests equal to limits.
 */
export function serverPodSpec(options: ServerPodOptions): Json {
  const { model } = options;
  // A handed-over model is read from the pod's annotations, which the manifest never sets (so
  // `kubectl apply` of it keeps what the pipeline's hand-off patched); empty before the first one.
  const annotation = (name: string, key: string) => ({ name, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${key}']` } } });
  const env: Json[] = [
    ...(model.modelUri !== undefined ? [{ name: 'MLOPS_MODEL_URI', value: model.modelUri }] : []),
    ...(model._source !== undefined ? [annotation('MLOPS_MODEL_URI', MODEL_URI_ANNOTATION), annotation('MLOPS_MODEL_VERSION', MODEL_VERSION_ANNOTATION)] : []),
    ...Object.entries(options.extraEnv ?? {}).map(([name, value]) => ({ name, value })),
    ...Object.entries(model.env).map(([name, value]) => ({ name, value })),
  ];
  const ports: Json[] = [{ name: options.portName, containerPort: model.port, protocol: 'TCP' }];
  if (options.metricsPort !== undefined && options.metricsPort !== model.port) {
    ports.push({ name: 'metrics', containerPort: options.metricsPort, protocol: 'TCP' });
  }
  const gpus = options.resources.gpu ?? 0;
  const placement = gpus > 0 ? gpuPlacement(undefined) : undefined;
  return {
    serviceAccountName: options.serviceAccountName,
    automountServiceAccountToken: false,
    securityContext: restrictedPodSecurityContext(options.runAsUser),
    containers: [{
      name: options.containerName,
      image: model.image,
      ports,
      ...(env.length > 0 ? { env } : {}),
      resources: containerResources(options.resources),
      readinessProbe: model.readinessPath !== undefined
        ? { httpGet: { path: model.readinessPath, port: model.port }, periodSeconds: 5, failureThreshold: 3 }
        : { tcpSocket: { port: model.port }, periodSeconds: 5, failureThreshold: 3 },
      securityContext: restrictedContainerSecurityContext(),
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    }],
    volumes: [{ name: 'tmp', emptyDir: {} }],
    ...(placement ? { tolerations: placement.tolerations } : {}),
  };
}

/** Requests equal to limits (Guaranteed QoS); GPUs as limits only, as Kubernetes requires. */
function containerResources(resources: Resources): Json {
  const requests: { [name: string]: string } = {};
  const limits: { [name: string]: string } = {};
  const set = (name: string, value: string) => {
    requests[name] = value;
    limits[name] = value;
  };
  set('cpu', cpuQuantity(resources.cpu ?? DEFAULT_SERVER_RESOURCES.cpu!));
  set('memory', gibQuantity(resources.memoryGiB ?? DEFAULT_SERVER_RESOURCES.memoryGiB!));
  if (resources.diskGiB !== undefined) {
    set('ephemeral-storage', gibQuantity(resources.diskGiB));
  }
  if (resources.gpu !== undefined && resources.gpu > 0) {
    limits[gpuPlacement(undefined).resourceName] = String(resources.gpu);
  }
  return { requests, limits };
}

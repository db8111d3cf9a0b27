import { GpuScheduling } from '../../lib/kubernetes';
import { NetworkEndpoint } from './network';

export interface KubeflowEngineOptions {
  /**
   * Image for steps that name none. It must have python3 (the step launcher runs on it, and .py
   * steps), sh for .sh steps, every package the scripts import, and a numeric non-root user.
   */
  readonly defaultImage?: string;
  /** Image for fail and register-model steps (sh, cp). @default defaultImage */
  readonly utilityImage?: string;
  /** GPU resource name, node selector and tolerations for steps with resources.gpu. */
  readonly gpu?: GpuScheduling;
  /** UID step containers run as. @default 1000 */
  readonly runAsUser?: number;
  /** GID step containers run as. @default 1000 */
  readonly runAsGroup?: number;
  /** KFP's REST API, which the recurring-run job calls. @default 'http://ml-pipeline.kubeflow.svc.cluster.local:8888' */
  readonly apiUrl?: string;
  /**
   * The KFP services step pods and the recurring-run job talk to (API server, metadata, object
   * store), for network policies. @default pods in namespace 'kubeflow' on 8080, 8333, 8887, 8888 and 9000
   */
  readonly kfpServices?: NetworkEndpoint;
  /** Secret with the object store credentials KFP's launcher reads. @default 'mlpipeline-minio-artifact' */
  readonly artifactSecretName?: string;
  /** Image of the recurring-run job (needs python3). @default utilityImage, else defaultImage */
  readonly schedulerImage?: string;
  /**
   * The pipeline's namespace enforces Pod Security 'restricted' through admission (label
   * `pod-security.kubernetes.io/enforce: restricted`), so the API server rejects any step pod that
   * does not pass it. KFP's platform spec cannot make step pods 'restricted' by itself (it carries
   * only runAsUser, runAsGroup and runAsNonRoot); saying the namespace enforces it silences the
   * synth warning about that.
   * @default false: synth warns
   */
  readonly namespaceEnforcesRestricted?: boolean;
}

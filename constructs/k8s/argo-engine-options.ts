import { ArgoArtifactRepositoryRef, ArgoPodUser, ArgoVersion } from '../../lib/compile/argo';
import { GpuScheduling } from '../../lib/kubernetes';
import { Resources } from '../../lib/pipeline/resources';
import type { ArgoWorkflows } from './argo-workflows';
import { NetworkEndpoint } from './network';

export interface ArgoEngineOptions {
  /**
   * The Argo Workflows install that runs the pipeline: sets the namespace (it is namespaced), the
   * Argo version, and where the artifact store is for the network policies.
   * @default a controller already in the cluster
   */
  readonly controller?: ArgoWorkflows;
  /** @default the controller's version, else ArgoVersion.V4 */
  readonly version?: ArgoVersion;
  /**
   * Image for steps that name none. It must have python3 (the step launcher runs on it, and .py
   * steps), sh for .sh steps, every package the scripts import, and a numeric non-root user.
   */
  readonly defaultImage?: string;
  /** Image for fail steps (needs sh) and register-model steps (needs python3). @default defaultImage */
  readonly utilityImage?: string;
  /** GPU resource name, node selector and tolerations for steps with resources.gpu. */
  readonly gpu?: GpuScheduling;
  /** Resources for steps where neither step nor pipeline sets them. @default 0.5 CPU, 1 GiB */
  readonly defaultResources?: Resources;
  /** The numeric non-root user step pods run as. @default 1000:1000, fsGroup 1000 */
  readonly podUser?: ArgoPodUser;
  /** An artifact repository other than the controller's default. */
  readonly artifactRepositoryRef?: ArgoArtifactRepositoryRef;
  /** Key prefix register-model steps write model versions under. @default 'models' */
  readonly modelRegistryPrefix?: string;
  /**
   * The bucket of the artifact repository the workflows use: steps can then read
   * `DataSource.fromUri('s3://<that bucket>/...')` (Argo has no credentials for other buckets).
   * @default the controller's artifact repository bucket, unless artifactRepositoryRef names another repository
   */
  readonly artifactRepositoryBucket?: string;
  /**
   * Where step pods reach the artifact store, for their network policy.
   * @default the controller's artifact repository endpoint (`ArtifactRepository.s3({ network })`); without a controller, none: step pods get no egress to a store, and synth warns
   */
  readonly artifactStore?: NetworkEndpoint;
}

import { GpuScheduling } from '../../kubernetes';
import { EndpointHandOff } from '../../kubernetes/endpoint-hand-off';
import { Code } from '../../pipeline/code';
import { Resources } from '../../pipeline/resources';
import { Schedule } from '../../pipeline/schedule';
import { ArgoArtifactRepositoryRef, ArgoPodUser, ArgoVersion } from './user-options';

export * from './user-options';

export interface ArgoCompileOptions {
  /** @default ArgoVersion.V4 */
  readonly argoVersion?: ArgoVersion;
  /** Name of the WorkflowTemplate and CronWorkflow. @default the pipeline name, lowercased */
  readonly name?: string;
  /** Namespace written into the objects' metadata. @default none (kubectl's namespace) */
  readonly namespace?: string;
  /**
   * Image for container steps without one. It must have python3 (the launcher and .py steps are
   * run with it) and sh for .sh steps, plus every package the step scripts import.
   */
  readonly defaultImage?: string;
  /** Image for fail and register-model steps (needs sh and python3). @default defaultImage */
  readonly utilityImage?: string;
  /** The ConfigMap holding key `code.zip` = packageCode(code) for a step's code. */
  readonly codeConfigMapName: (code: Code) => string;
  /** MLFLOW_TRACKING_URI of every step, e.g. an in-cluster MLflow server. @default none */
  readonly trackingUri?: string;
  /** Service account the workflow's pods run as. @default the namespace's default account */
  readonly serviceAccountName?: string;
  /** Adds a CronWorkflow that starts the pipeline on this schedule. */
  readonly schedule?: Schedule;
  readonly gpu?: GpuScheduling;
  /**
   * Resources for container steps where neither the step nor the pipeline set them (field by
   * field). @default { cpu: 0.5, memoryGiB: 1 }
   */
  readonly defaultResources?: Resources;
  /** The numeric non-root user step pods run as. */
  readonly podUser?: ArgoPodUser;
  /** ConfigMap Argo memoizes cached steps in. @default '<name>-memo' */
  readonly memoizeCacheName?: string;
  /** Use this artifact repository instead of the controller's default. */
  readonly artifactRepositoryRef?: ArgoArtifactRepositoryRef;
  /**
   * The bucket of the S3 artifact repository the workflow uses. Inputs from `s3://` URIs in this
   * bucket are read as key-only artifacts with the repository's credentials; Argo has no
   * credentials for other buckets, so those are a synth-time error. @default none: no URI inputs
   */
  readonly artifactRepositoryBucket?: string;
  /** Key prefix register-model steps write model versions under. @default 'models' */
  readonly modelRegistryPrefix?: string;
  /** Labels added to the compiled objects and to every pod. */
  readonly labels?: { [name: string]: string };
  /** Endpoints that register steps hand their new versions to (k8s.ServedModel.fromPipeline). @default none */
  readonly endpointHandOffs?: EndpointHandOff[];
}

/** The Kubernetes objects one pipeline compiles to on Argo Workflows. */
export interface ArgoDocuments {
  /** argoproj.io/v1alpha1 WorkflowTemplate: the pipeline as one DAG template plus a template per step. */
  readonly workflowTemplate: { [key: string]: any };
  /** argoproj.io/v1alpha1 CronWorkflow referencing the template, when a schedule is given. */
  readonly cronWorkflow?: { [key: string]: any };
  /** The ConfigMap names the templates mount, one per distinct step code, sorted. */
  readonly codeConfigMaps: string[];
  /** The ConfigMap memoized steps use, when any step caches. */
  readonly memoizeCache?: string;
}

import { GpuScheduling } from '../../kubernetes';
import { Code } from '../../pipeline/code';
import { Schedule } from '../../pipeline/schedule';

/**
 * The Airflow authoring API the DAG file is written for: '2.10' (Amazon MWAA's current line:
 * `airflow.decorators`, `airflow.models.param`) or '3' (the Task SDK, `airflow.sdk`).
 */
export type AirflowVersion = '2.10' | '3';
export const AIRFLOW_VERSIONS: AirflowVersion[] = ['2.10', '3'];

/**
 * How container steps run:
 * - 'python': the launcher in a subprocess of the Airflow worker, the code shipped next to the DAG
 *   file under `dags/<dag_id>/`. Steps pass data through `dataRoot`, so every worker must see the
 *   same `dataRoot` (one machine, LocalExecutor, or a shared file system); no GPUs.
 * - 'kubernetes': a KubernetesPodOperator pod per step (cncf.kubernetes provider), data on a
 *   ReadWriteMany volume claim mounted at /mlops/data.
 * - 'sagemaker': a SageMaker processing job (script steps) or training job (training steps) per step,
 *   started by the amazon provider's operators (Amazon MWAA); data under s3://<bucket>/<prefix>/runs.
 */
export type AirflowExecutor = 'python' | 'kubernetes' | 'sagemaker';
export const AIRFLOW_EXECUTORS: AirflowExecutor[] = ['python', 'kubernetes', 'sagemaker'];

/** What to do with steps that have a cache policy: Airflow has no step cache. */
export type AirflowCacheHandling = 'error' | 'run-always';

export interface AirflowKubernetesOptions {
  /** Namespace the step pods run in. */
  readonly namespace: string;
  /** Image for container steps without one (needs python3 and the steps' packages). */
  readonly defaultImage?: string;
  /** Image for register-model steps (needs python3). @default defaultImage */
  readonly utilityImage?: string;
  /**
   * The ConfigMap holding key `code.zip` = packageCode(code) for a step's code, mounted at
   * /mlops/code; leave it out when the images hold the code and the launcher at /mlops/code.
   */
  readonly codeConfigMapName?: (code: Code) => string;
  /**
   * A ReadWriteMany PersistentVolumeClaim mounted at /mlops/data in every step pod: steps pass
   * data through it under the data root, one folder per DAG run.
   */
  readonly dataVolumeClaim: string;
  /** Service account of the step pods. @default the namespace's default */
  readonly serviceAccountName?: string;
  /** Airflow connection to the cluster. @default the provider's default (in-cluster) */
  readonly kubernetesConnId?: string;
  /** Where GPU steps go: resource name, node selector, tolerations (as on the Argo engine). */
  readonly gpu?: GpuScheduling;
}

/**
 * Where and as whom the 'sagemaker' executor runs jobs. Values may be CDK tokens: they are written
 * into the DAG file as Python string literals.
 */
export interface AirflowSageMakerOptions {
  /** The role the SageMaker jobs run as (RoleArn). */
  readonly roleArn: string;
  /** The bucket (name) that receives step outputs, metrics and models. */
  readonly bucketName: string;
  /** Key prefix in that bucket, without leading or trailing '/'; runs go to `<prefix>/runs/<run_id>`. */
  readonly prefix: string;
  /** Region of the hooks the DAG calls itself (S3, model registry). @default the AWS connection's */
  readonly region?: string;
  /** KMS key (ARN) that encrypts job outputs and job volumes. @default SageMaker's default encryption */
  readonly kmsKeyArn?: string;
  /** Image for script and training steps that name none (needs python3 and the steps' packages). */
  readonly defaultImage: string;
  /** Image registered models are served with when their step names none. @default defaultImage */
  readonly defaultInferenceImage?: string;
  /** Instance type of steps without resources.sageMakerInstanceType. @default 'ml.m5.large' */
  readonly defaultInstanceType?: string;
  /** The S3 URI of a Code's archive (lib/runtime packageCode), ending in the archive's file name. */
  readonly codeUri: (code: Code) => string;
  /**
   * The S3 URI of a Code as a `sourcedir.tar.gz`, for register steps' inference code
   * (SAGEMAKER_SUBMIT_DIRECTORY). @default register steps cannot have inference code
   */
  readonly inferenceCodeUri?: (code: Code) => string;
  /**
   * The S3 URI of a Code as a tuning trial's tarball (lib/runtime packageTrialTarball: the code and
   * the launcher as _mlops_launcher.py), which the trial's training toolkit downloads.
   * @default tuning steps cannot be compiled
   */
  readonly trialCodeUri?: (code: Code) => string;
  /** Airflow connection the operators and hooks use. @default 'aws_default' */
  readonly awsConnId?: string;
}

export interface AirflowOptions {
  /** @default '2.10' */
  readonly airflowVersion?: AirflowVersion;
  readonly executor: AirflowExecutor;
  /** DAG id. @default the pipeline name */
  readonly dagId?: string;
  /** @default no schedule: runs start by hand or through the API */
  readonly schedule?: Schedule;
  /** First data interval; required with a schedule. */
  readonly startDate?: Date;
  /** Run the intervals between startDate and now that were missed. @default false */
  readonly catchup?: boolean;
  /** @default 1 */
  readonly maxActiveRuns?: number;
  /** @default ['cdk-mlops'] */
  readonly tags?: string[];
  /**
   * Where steps write their outputs, a folder per DAG run under it. 'python': an absolute path on
   * the workers (shared by all of them). 'kubernetes': a path under /mlops/data, the data volume.
   * @default '/opt/airflow/mlops-data' ('python'), '/mlops/data' ('kubernetes')
   */
  readonly dataRoot?: string;
  /** Where register-model steps write model versions. @default `<dataRoot>/registry` */
  readonly registryRoot?: string;
  /** MLFLOW_TRACKING_URI of every step (the launch contract's trackingUri). @default none */
  readonly trackingUri?: string;
  /** @default 'error': a step with a cache policy is a synth-time error */
  readonly cache?: AirflowCacheHandling;
  readonly kubernetes?: AirflowKubernetesOptions;
  /** Required with executor 'sagemaker'. */
  readonly sagemaker?: AirflowSageMakerOptions;
  /** The clock the start-date checks read. @default the current time */
  readonly now?: Date;
}

/**
 * What the DAG's tasks ask of AWS on the 'sagemaker' executor, recorded by the step handlers as
 * they compile, so whoever deploys the DAG can grant exactly that (aws.MlPipeline does).
 */
export interface AirflowSageMakerUses {
  readonly processingJobs: boolean;
  readonly trainingJobs: boolean;
  /** Hyperparameter tuning jobs (their trials are training jobs: trainingJobs is true too). @default false */
  readonly tuningJobs?: boolean;
  /** Model package groups the register tasks write to, sorted. */
  readonly modelPackageGroups: string[];
  /** Images the jobs run and the registered models name, in first-use order (the defaults included when used). */
  readonly images: string[];
  /** s3:// URIs the jobs read (DataSource.fromUri), sorted. */
  readonly externalS3Uris: string[];
}

/** A folder of step code to copy to `dags/<path>` next to the DAG file ('python' executor). */
export interface AirflowCodeFolder {
  readonly code: Code;
  /** Relative to the DAGs folder, '/'-separated. */
  readonly path: string;
}

/** One pipeline compiled for Airflow: one DAG file plus what must sit next to it. */
export interface AirflowDag {
  readonly dagId: string;
  /** `<dag_id>.py`, to put in the DAGs folder. */
  readonly fileName: string;
  /** The DAG file's Python source. */
  readonly source: string;
  /** 'python': code folders to copy next to the DAG file. */
  readonly codeFolders: AirflowCodeFolder[];
  /** 'python': where the launcher (lib/runtime LAUNCHER_PATH) goes, relative to the DAGs folder. */
  readonly launcherPath?: string;
  /**
   * 'python': small files to write next to the DAG file, by path relative to the DAGs folder: an
   * `.airflowignore` in `<dag_id>/` so the DAG processor never imports step scripts as DAG files.
   */
  readonly files: { [path: string]: string };
  /** 'kubernetes': the code ConfigMaps the pods mount, sorted. */
  readonly codeConfigMaps: string[];
  /** What the DAG does differently from the model, by step (e.g. a cache policy it ignores). */
  readonly notes: string[];
  /** 'sagemaker': what the tasks ask of AWS. */
  readonly sageMakerUses?: AirflowSageMakerUses;
}

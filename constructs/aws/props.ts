import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Pipeline } from '../../lib/pipeline/pipeline';
import { Schedule } from '../../lib/pipeline/schedule';
import { Orchestrator } from './orchestrator';
import { DefinitionStorage } from './orchestrators/definition-storage';
import { MlflowTrackingServer } from './mlflow';

export interface MlPipelineProps {
  /**
   * The pipeline to deploy. It is compiled at synth time, so steps and parameters added after the
   * construct was created are deployed too.
   */
  readonly pipeline: Pipeline;
  /** Which engine runs it: `Orchestrator.sageMaker()` or `Orchestrator.airflow(environment)`. */
  readonly orchestrator: Orchestrator;
  /**
   * The SageMaker pipeline name (unique per account and region), or on Airflow the DAG id (unique
   * per environment; `Orchestrator.airflow({ dagId })` wins over it).
   * @default the pipeline's name
   */
  readonly pipelineName?: string;
  /**
   * Runs the pipeline by itself. SageMaker: an EventBridge Scheduler trigger with the schedule's
   * parameter values (see addTrigger). Airflow: the DAG's own timetable (every run gets its data
   * interval; schedule parameter values are a synth error, Airflow starts runs with the defaults).
   * @default no schedule
   */
  readonly schedule?: Schedule;
  /**
   * Airflow only: run the data intervals between `startDate` and now that have no run yet (a
   * backfill when the DAG is first deployed). A synth error with Orchestrator.sageMaker().
   * @default false
   */
  readonly catchup?: boolean;
  /**
   * Airflow only: the start of the DAG's first data interval; required with `schedule`. A synth
   * error with Orchestrator.sageMaker().
   * @default none
   */
  readonly startDate?: Date;
  /**
   * Airflow only: at most this many runs of the DAG at once (max_active_runs). A synth error with
   * Orchestrator.sageMaker().
   * @default 1
   */
  readonly maxActiveRuns?: number;
  /**
   * Bucket for step outputs, metrics and models.
   * @default a new KMS-encrypted, versioned, SSL-only bucket (retained), with access logs in a second bucket
   */
  readonly bucket?: s3.IBucket;
  /** Key prefix of everything the pipeline writes. @default 'pipelines/<pipelineName>' */
  readonly bucketPrefix?: string;
  /**
   * KMS key for the bucket, job outputs and volumes, and the alert topic.
   * @default the bucket's key when an encrypted bucket is given, else a new key with rotation (retained)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Role the pipeline and its jobs run as. The construct adds the permissions the pipeline needs
   * (an immutable imported role must already have them; see docs/aws.md).
   * @default a new role that SageMaker assumes, with a least-privilege policy
   */
  readonly role?: iam.IRole;
  /**
   * SageMaker only: topic failed executions are reported to (MWAA emits no per-run events; a synth
   * error with Orchestrator.airflow()). @default a new KMS-encrypted, SSL-only topic
   */
  readonly alarmTopic?: sns.ITopic;
  /** SageMaker only: e-mail addresses subscribed to the alert topic. @default none */
  readonly alarmEmails?: string[];
  /** SageMaker only: where the compiled definition is kept. @default DefinitionStorage.AUTO */
  readonly definitionStorage?: DefinitionStorage;
  /**
   * SageMaker only: create the model package groups that register-model steps register into
   * (retained on delete; on Airflow the DAG's register task creates a missing group itself).
   * Turn off when the groups exist already.
   * @default true
   */
  readonly createModelPackageGroups?: boolean;
  /**
   * A SageMaker MLflow tracking server: every step gets its ARN as MLFLOW_TRACKING_URI (unless
   * the step's env sets one; the step image needs the `sagemaker-mlflow` plugin), and the
   * execution role may use it. @default none
   */
  readonly tracking?: MlflowTrackingServer;
}

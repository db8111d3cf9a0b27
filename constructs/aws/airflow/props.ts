import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { brand, isA } from '../../../lib/pipeline/brand';

/** An Apache Airflow version that Amazon MWAA runs. */
export class AirflowVersion {
  public static readonly V2_7_2 = new AirflowVersion('2.7.2');
  public static readonly V2_8_1 = new AirflowVersion('2.8.1');
  public static readonly V2_9_2 = new AirflowVersion('2.9.2');
  public static readonly V2_10_1 = new AirflowVersion('2.10.1');
  public static readonly V2_10_3 = new AirflowVersion('2.10.3');
  public static readonly V2_11_0 = new AirflowVersion('2.11.0');
  public static readonly V3_0_6 = new AirflowVersion('3.0.6');

  /** A version by number, e.g. '2.10.3'; synth fails unless MWAA offers it (see the static members). */
  public static of(version: string): AirflowVersion {
    return new AirflowVersion(version);
  }

  /** True for an AirflowVersion from any copy of cdk-mlops. */
  public static isAirflowVersion(x: unknown): x is AirflowVersion {
    return isA(x, AirflowVersion);
  }

  private constructor(
    /** The version as MWAA spells it. */
    public readonly version: string,
  ) {}
}
brand(AirflowVersion, 'cdk-mlops.aws.AirflowVersion');

/** The size of an MWAA environment's schedulers, workers, web server and metadata database. */
export class AirflowEnvironmentClass {
  /** One combined scheduler/worker (1 vCPU, 3 GB), no scaling: for development. */
  public static readonly MICRO = new AirflowEnvironmentClass('mw1.micro');
  /** 1 vCPU, 2 GB workers; about 50 DAGs. */
  public static readonly SMALL = new AirflowEnvironmentClass('mw1.small');
  /** 2 vCPU, 4 GB workers; about 250 DAGs. */
  public static readonly MEDIUM = new AirflowEnvironmentClass('mw1.medium');
  /** 4 vCPU, 8 GB workers; about 1000 DAGs. */
  public static readonly LARGE = new AirflowEnvironmentClass('mw1.large');
  /** 8 vCPU, 24 GB workers; about 2000 DAGs. */
  public static readonly XLARGE = new AirflowEnvironmentClass('mw1.xlarge');
  /** 16 vCPU, 48 GB workers; about 4000 DAGs. */
  public static readonly XLARGE2 = new AirflowEnvironmentClass('mw1.2xlarge');

  /** A class by name, e.g. 'mw1.medium'; synth fails unless MWAA offers it. */
  public static of(name: string): AirflowEnvironmentClass {
    return new AirflowEnvironmentClass(name);
  }

  /** True for an AirflowEnvironmentClass from any copy of cdk-mlops. */
  public static isAirflowEnvironmentClass(x: unknown): x is AirflowEnvironmentClass {
    return isA(x, AirflowEnvironmentClass);
  }

  private constructor(
    /** The class as MWAA spells it. */
    public readonly name: string,
  ) {}
}
brand(AirflowEnvironmentClass, 'cdk-mlops.aws.AirflowEnvironmentClass');

/** Who can reach the Airflow UI and REST API (WebserverAccessMode). */
export enum WebServerAccess {
  /** Only from inside the VPC (a VPC endpoint MWAA creates); reach it through a VPN, bastion or peered network. */
  PRIVATE = 'PRIVATE_ONLY',
  /** From the internet, behind IAM sign-in (airflow:CreateWebLoginToken). */
  PUBLIC = 'PUBLIC_ONLY',
}

/** How much each Airflow component logs to CloudWatch Logs. */
export enum AirflowLogLevel {
  CRITICAL = 'CRITICAL',
  ERROR = 'ERROR',
  WARNING = 'WARNING',
  INFO = 'INFO',
  DEBUG = 'DEBUG',
}

/** The log level of each Airflow component; every component logs (MWAA writes to log groups airflow-<environment>-<Component>). */
export interface AirflowLogging {
  /** DAG processing (parsing) logs. @default AirflowLogLevel.WARNING */
  readonly dagProcessing?: AirflowLogLevel;
  /** Scheduler logs. @default AirflowLogLevel.WARNING */
  readonly scheduler?: AirflowLogLevel;
  /** Task logs, shown in the Airflow UI. @default AirflowLogLevel.INFO */
  readonly task?: AirflowLogLevel;
  /** Worker (Celery) logs. @default AirflowLogLevel.WARNING */
  readonly worker?: AirflowLogLevel;
  /** Web server logs. @default AirflowLogLevel.WARNING */
  readonly webServer?: AirflowLogLevel;
}

export interface AirflowEnvironmentProps {
  /** The Airflow version. Changing it upgrades the environment in place (MWAA supports minor upgrades). */
  readonly airflowVersion: AirflowVersion;
  /** The environment class. @default AirflowEnvironmentClass.SMALL */
  readonly environmentClass?: AirflowEnvironmentClass;
  /**
   * The environment's name (a letter, then letters, digits, '-' and '_', max 80 characters).
   * @default - a unique name made from the construct path
   */
  readonly environmentName?: string;
  /** Workers kept running (≥ 1; 1 for mw1.micro). @default 1 */
  readonly minWorkers?: number;
  /** Workers MWAA scales up to (≥ minWorkers; 1 for mw1.micro; the default quota is 25). @default 10 (1 for mw1.micro) */
  readonly maxWorkers?: number;
  /** Schedulers (2–5; 1 for mw1.micro). @default 2 (1 for mw1.micro) */
  readonly schedulers?: number;
  /**
   * The VPC. MWAA takes exactly 2 private subnets in 2 Availability Zones; the construct picks the
   * first private (then isolated) subnet of each of two zones. Without a NAT gateway the subnets
   * need VPC endpoints for S3, CloudWatch, CloudWatch Logs, SQS, KMS and ECR, and requirements
   * cannot be installed from PyPI.
   * @default - a new VPC: 2 public and 2 private subnets in 2 zones, a NAT gateway per zone, an S3 gateway endpoint, flow logs
   */
  readonly vpc?: ec2.IVpc;
  /** Who can reach the Airflow web server. @default WebServerAccess.PRIVATE */
  readonly webServerAccess?: WebServerAccess;
  /**
   * Lines of requirements.txt (pip requirement specifiers; from Airflow 2.7.2 MWAA adds a
   * `--constraint` line unless one is given). Uploaded to `requirements.txt` in the DAG bucket.
   * @default - no extra packages
   */
  readonly requirements?: string[];
  /** Path to a local plugins.zip, uploaded to `plugins.zip` in the DAG bucket. @default - no plugins */
  readonly plugins?: string;
  /** Log level per component. @default - see AirflowLogging */
  readonly logging?: AirflowLogging;
  /** Airflow configuration overrides, e.g. { 'core.default_timezone': 'utc' }. @default - none */
  readonly airflowConfigurationOptions?: { [key: string]: string };
  /**
   * The key for the DAG bucket, the environment's data (metadata database, queue) and its logs.
   * An imported key must let CloudWatch Logs use it (see docs/airflow-aws.md).
   * @default - a new key with rotation, retained on delete
   */
  readonly encryptionKey?: kms.IKey;
}

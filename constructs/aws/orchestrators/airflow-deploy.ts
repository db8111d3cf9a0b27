import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { AirflowDag } from '../../../lib/compile/airflow';
import { jobNamePrefix } from '../../../lib/compile/airflow/sagemaker';
import { LAUNCHER_PATH } from '../../../lib/runtime/paths';
import type { AirflowEnvironment } from '../airflow/airflow-environment';
import { acknowledgeAirflowFindings } from '../airflow/nag';
import { sageMakerStatements } from '../airflow/sagemaker-access';
import { acknowledgeBucketDeployment } from './definition-storage';
import { OrchestratorContext } from './renderer';

/**
 * Puts the DAG file (and, for the python executor, the DAG's folder: launcher, step code,
 * .airflowignore) under the environment's dags/ prefix. A BucketDeployment fills in the deploy-time
 * values (role ARN, bucket name, region) as it writes the file. It never prunes or deletes: other
 * pipelines' DAGs share the prefix, so a removed pipeline's DAG file stays (delete it by hand).
 */
export function deployDag(scope: Construct, environment: AirflowEnvironment, dag: AirflowDag): s3deploy.BucketDeployment {
  const sources = [s3deploy.Source.data(dag.fileName, dag.source)];
  if (dag.launcherPath !== undefined) {
    sources.push(s3deploy.Source.asset(stageDagFolder(dag)));
  }
  const deployment = new s3deploy.BucketDeployment(scope, 'Dag', {
    sources,
    destinationBucket: environment.dagBucket,
    destinationKeyPrefix: environment.dagsPrefix,
    prune: false,
    retainOnDelete: true,
    extract: true,
  });
  environment.encryptionKey.grantEncryptDecrypt(deployment.handlerRole);
  acknowledgeBucketDeployment(deployment);
  return deployment;
}

/**
 * The DAG's own folder as the python executor expects it next to the DAG file: launcher, code
 * folders, .airflowignore. Staged in a content-addressed folder, so the same DAG gives the same asset.
 */
function stageDagFolder(dag: AirflowDag): string {
  const files = new Map<string, string>();
  files.set(dag.launcherPath!, LAUNCHER_PATH);
  for (const folder of dag.codeFolders) {
    for (const rel of folder.code.files()) {
      files.set(`${folder.path}/${rel}`, path.join(folder.code.directory, rel));
    }
  }
  const hash = crypto.createHash('sha256');
  const texts = Object.entries(dag.files).sort(([a], [b]) => a.localeCompare(b));
  texts.forEach(([rel, text]) => hash.update(`text\0${rel}\0${text}\0`));
  const sorted = [...files].sort(([a], [b]) => a.localeCompare(b));
  sorted.forEach(([rel, from]) => hash.update(`file\0${rel}\0`).update(fs.readFileSync(from)));
  const dir = path.join(os.tmpdir(), 'cdk-mlops-dags', hash.digest('hex'));
  if (!fs.existsSync(dir)) {
    const partial = `${dir}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    for (const [rel, text] of texts) {
      fs.mkdirSync(path.dirname(path.join(partial, rel)), { recursive: true });
      fs.writeFileSync(path.join(partial, rel), text);
    }
    for (const [rel, from] of sorted) {
      fs.mkdirSync(path.dirname(path.join(partial, rel)), { recursive: true });
      fs.copyFileSync(from, path.join(partial, rel));
    }
    try {
      fs.renameSync(partial, dir);
    } catch {
      // Another synth staged the same content first.
      fs.rmSync(partial, { recursive: true, force: true });
    }
  }
  return dir;
}

/**
 * The prefix every SageMaker job name of the DAG starts with: jobNamePrefix(dagId, step) is the
 * cleaned `<dagId>-<step>`, cut to its maximum length, so the DAG id part (and its '-' when the
 * cut leaves it) is common to all of them.
 */
export function dagJobNamePrefix(dagId: string): string {
  const probe = jobNamePrefix(dagId, 'a');
  return probe.endsWith('-a') ? probe.slice(0, -1) : probe.slice(0, -1).replace(/-+$/, '');
}

/**
 * What the environment's execution role needs for this DAG's tasks (sagemaker executor): start,
 * watch and stop the DAG's own jobs (by job name prefix) as the pipeline's job role, read their
 * logs, create model versions in the groups the pipeline registers into, and read the run data
 * (metrics) under the pipeline's prefix.
 */
export function grantEnvironment(context: OrchestratorContext, environment: AirflowEnvironment, dagId: string, groups: string[], tuning: boolean): void {
  const stack = Stack.of(context.scope);
  const access = { jobRole: context.role, jobNamePrefix: dagJobNamePrefix(dagId) };
  const statements = [
    ...sageMakerStatements(stack, access).filter((s) => s.sid !== 'RegisterModels'),
    ...groups.flatMap((group) => sageMakerStatements(stack, { ...access, modelPackageGroupName: group }).filter((s) => s.sid === 'RegisterModels')),
    ...(tuning ? [new iam.PolicyStatement({
      // SageMakerTuningOperator: the DAG's own tuning jobs (same name prefix), and the trials it lists.
      actions: ['sagemaker:CreateHyperParameterTuningJob', 'sagemaker:DescribeHyperParameterTuningJob', 'sagemaker:StopHyperParameterTuningJob',
        'sagemaker:ListTrainingJobsForHyperParameterTuningJob', 'sagemaker:AddTags'],
      // Tuning job names keep at most 16 characters of the DAG and step (steps/tune-sagemaker.ts, TUNING_PREFIX_MAX).
      resources: [stack.formatArn({ service: 'sagemaker', resource: 'hyper-parameter-tuning-job', resourceName: `${access.jobNamePrefix.slice(0, 16).replace(/-+$/, '')}*` })],
    })] : []),
  ];
  for (const s of statements) {
    // No sid: several pipelines grant into the same role's policy.
    iam.Grant.addToPrincipal({ grantee: environment.executionRole, actions: s.actions, resourceArns: s.resources, conditions: s.conditions });
  }
  context.bucket.grantRead(environment.executionRole, `${context.bucketPrefix}/runs/*`);
  context.encryptionKey.grantDecrypt(environment.executionRole);
  acknowledgeAirflowFindings(environment, { sageMaker: true });
}

/** The constants and helper functions of a DAG file on the 'sagemaker' executor. */
import * as contract from '../../pipeline/contract';
import { AirflowSageMakerOptions } from './options';
import { py } from './python';
import { METRICS_OUTPUT, runsKey, SAGEMAKER_DEFAULT_CONN_ID } from './sagemaker';

export function sageMakerConstants(s: AirflowSageMakerOptions): string[] {
  return [
    `AWS_CONN_ID = ${py(s.awsConnId ?? SAGEMAKER_DEFAULT_CONN_ID)}`,
    '# Region of the hooks this file calls; the operators take the region of the AWS connection.',
    `REGION = ${py(s.region ?? null)}`,
    `BUCKET = ${py(s.bucketName)}`,
    `RUNS_KEY = ${py(runsKey(s))}`,
    'RUN_DIR = "s3://" + BUCKET + "/" + RUNS_KEY + "/{{ run_id }}"',
  ];
}

/**
 * `sagemaker_job_name` (the DAG's macro naming each run's jobs), `metric` for branch tasks (the
 * metrics.json a job wrote to S3) and the `register_model_version` task. Provider hooks are
 * imported inside the functions: the scheduler parses the file often and needs only the operators.
 */
export function sageMakerHelpers(helpers: Set<string>): string[] {
  const out: string[] = [
    '', '',
    'def sagemaker_job_name(prefix, key, run_id):',
    '    """A job name for this DAG run: the step\'s prefix and a hash of the DAG id, step (and item) and run id."""',
    '    digest = hashlib.sha256("\\n".join([DAG_ID, key, run_id]).encode()).hexdigest()[:12]',
    '    return prefix + "-" + digest',
  ];
  if (helpers.has('metric')) {
    out.push(
      '', '',
      'def metric(ti, step, name):',
      '    """Metric `name` of `step` in this run, from the metrics.json its SageMaker job wrote to S3."""',
      '    import io',
      '    import tarfile',
      '',
      '    from airflow.providers.amazon.aws.hooks.s3 import S3Hook',
      '',
      ...(helpers.has('sagemaker_tuning') ? [
        '    tuning = (ti.xcom_pull(task_ids=step) or {}).get("Tuning")',
        '    if tuning is not None:',
        '        # A tuning step reports its best training job\'s objective metric, and only that one.',
        '        best = tuning["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]',
        '        if best["MetricName"] != name:',
        '            raise AirflowFailException(f"tuning step {step!r} reports only its objective metric {best[\'MetricName\']!r}, not {name!r}")',
        '        return best["Value"]',
      ] : []),
      '    hook = S3Hook(aws_conn_id=AWS_CONN_ID, region_name=REGION)',
      '    training = (ti.xcom_pull(task_ids=step) or {}).get("Training")',
      '    if training is None:',
      `        key = RUNS_KEY + "/" + ti.run_id + "/" + step + ${py(`/${METRICS_OUTPUT}/${contract.METRICS_FILE_NAME}`)}`,
      '        metrics = json.loads(hook.read_key(key, BUCKET))',
      '    else:',
      '        # A training job\'s metrics file is in output.tar.gz, next to its model.tar.gz.',
      '        uri = training["OutputDataConfig"]["S3OutputPath"].rstrip("/") + "/" + training["TrainingJobName"] + "/output/output.tar.gz"',
      '        bucket, key = S3Hook.parse_s3_url(uri)',
      '        data = hook.get_key(key, bucket).get()["Body"].read()',
      '        with tarfile.open(fileobj=io.BytesIO(data)) as archive:',
      `            metrics = json.load(archive.extractfile(${py(contract.METRICS_FILE_NAME)}))`,
      '    if name not in metrics:',
      '        raise AirflowFailException(f"step {step!r} reported no metric {name!r} (got: {sorted(metrics)})")',
      '    return metrics[name]',
    );
  }
  if (helpers.has('register_model_version')) {
    out.push(
      '', '',
      '@task',
      'def register_model_version(request):',
      '    """Creates the model package group unless it exists, then the model version (CreateModelPackage); returns its ARN."""',
      '    from airflow.providers.amazon.aws.hooks.sagemaker import SageMakerHook',
      '',
      '    hook = SageMakerHook(aws_conn_id=AWS_CONN_ID, region_name=REGION)',
      '    hook.create_model_package_group(request["ModelPackageGroupName"])',
      '    return hook.conn.create_model_package(**request)["ModelPackageArn"]',
    );
  }
  return out;
}

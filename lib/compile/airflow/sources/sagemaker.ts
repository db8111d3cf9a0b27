import { ArtifactType, CollectedArtifact, DataSource, ExternalData, isMetricsPort, StepArtifact } from '../../../pipeline/artifacts';
import { isA } from '../../../pipeline/brand';
import { Step, StepKind } from '../../../pipeline/step';
import { MODEL_PORT } from '../../../pipeline/steps/training-step';
import { BEST_MODEL_PORT, BEST_PARAMETERS_PORT } from '../../../pipeline/steps/tune-step';
import { ENGINE } from '../checks';
import type { AirflowCompilation } from '../compilation';
import { PyExpr } from '../python';
import { bestTrialUri, METRICS_OUTPUT, s3RunUri, trainingXcom } from '../sagemaker';

/**
 * Where the 'sagemaker' executor finds data, as S3 URIs:
 *   RUN_DIR/<step>/<port>/[<item>/]            a processing job's output port
 *   RUN_DIR/<step>/mlops-metrics/[<item>/]     its metrics.json
 *   <S3OutputPath>/<job>/output/model.tar.gz   a training job's model (from its XCom, since a
 *                                              retry may rename the job), output.tar.gz its metrics
 * with RUN_DIR = s3://<bucket>/<prefix>/runs/{{ run_id }}.
 */
export function sageMakerOutputUri(c: AirflowCompilation, consumer: Step, input: string, producer: Step, port: string, type: ArtifactType): PyExpr | undefined {
  if (producer.kind === StepKind.TUNE) {
    // The best trial's training job: its model.tar.gz, and output.tar.gz holding parameters.json.
    return new PyExpr(JSON.stringify(bestTrialUri(producer.name, port === BEST_MODEL_PORT ? 'model.tar.gz' : 'output.tar.gz')));
  }
  if (producer.kind !== StepKind.TRAINING) {
    return s3RunUri(producer.name, isMetricsPort(port, type) ? METRICS_OUTPUT : port);
  }
  if (type === ArtifactType.MODEL && port === MODEL_PORT) {
    return new PyExpr(JSON.stringify(trainingXcom(producer.name, 'ModelArtifacts', 'S3ModelArtifacts')));
  }
  if (isMetricsPort(port, type)) {
    return new PyExpr(JSON.stringify(`${trainingXcom(producer.name, 'OutputDataConfig', 'S3OutputPath')}/${trainingXcom(producer.name, 'TrainingJobName')}/output/output.tar.gz`));
  }
  c.problems.push(`step '${consumer.name}': input '${input}' reads port '${port}' of training step '${producer.name}', but a SageMaker training job writes only its model and metrics; write other data in a script step`);
  return undefined;
}

/** A collected port of a forEach step: the folder that holds one folder per item. */
export function sageMakerCollectedUri(c: AirflowCompilation, consumer: Step, input: string, source: CollectedArtifact): PyExpr | undefined {
  if (source.step.kind === StepKind.TRAINING) {
    c.problems.push(`step '${consumer.name}': input '${input}' collects ${source} of forEach training step '${source.step.name}', but on ${ENGINE}'s 'sagemaker' executor each item's training job writes its model under its own job name, so there is no folder of all items; collect the models in a script step, or read one item's model`);
    return undefined;
  }
  return s3RunUri(source.step.name, isMetricsPort(source.name, source.type) ? METRICS_OUTPUT : source.name);
}

/** Data from before the run: only s3:// URIs reach a SageMaker job. */
export function sageMakerExternalUri(c: AirflowCompilation, consumer: Step, input: string, source: ExternalData): PyExpr | undefined {
  if (source.scheme === 's3') {
    c.useSageMaker({ externalS3Uri: source.uri });
    return new PyExpr(JSON.stringify(source.uri));
  }
  c.problems.push(`step '${consumer.name}': input '${input}' reads ${source} (scheme '${source.scheme}'), but SageMaker jobs on ${ENGINE}'s 'sagemaker' executor read s3:// URIs only; upload the data to S3 and give its s3:// URI`);
  return undefined;
}

/** True for inputs that arrive as .tar.gz archives the launcher unpacks (a training job's model or metrics). */
export function isTarballSource(source: DataSource): boolean {
  if (isA(source, StepArtifact) && source.step.kind === StepKind.TRAINING) {
    return source.name === MODEL_PORT || isMetricsPort(source.name, source.type);
  }
  if (isA(source, StepArtifact) && source.step.kind === StepKind.TUNE) {
    return source.name === BEST_MODEL_PORT || source.name === BEST_PARAMETERS_PORT;
  }
  return false;
}

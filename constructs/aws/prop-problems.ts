import { Token } from 'aws-cdk-lib';
import { AWS_TRACKING_SERVER_BRAND, hasBrand, K8S_TRACKING_SERVER_BRAND } from '../../lib/pipeline/brand';
import { show } from '../../lib/pipeline/errors';
import { Pipeline } from '../../lib/pipeline/pipeline';
import { Orchestrator, OrchestratorKind } from './orchestrator';
import { MlPipelineProps } from './props';

/** What is wrong with the props themselves (the pipeline's content is checked at synth time). */
export function propProblems(props: MlPipelineProps): string[] {
  const problems: string[] = [];
  if (!Pipeline.isPipeline(props.pipeline)) {
    return [`pipeline is ${show(props.pipeline)}, not a Pipeline; pass new Pipeline('name', {...})`];
  }
  if (!Orchestrator.isOrchestrator(props.orchestrator)) {
    problems.push(`orchestrator is ${show(props.orchestrator)}; use Orchestrator.sageMaker() or Orchestrator.airflow(environment)`);
  } else {
    problems.push(...props.orchestrator._renderer.optionProblems(), ...props.orchestrator._renderer.propProblems(props));
  }
  const prefix = props.bucketPrefix;
  if (prefix !== undefined && (prefix === '' || prefix.startsWith('/') || prefix.endsWith('/') || !/^[A-Za-z0-9!_.*'()/-]+$/.test(prefix))) {
    problems.push(`bucketPrefix ${show(prefix)} is invalid (allowed: S3-safe characters without a leading or trailing '/'); e.g. 'pipelines/iris'`);
  }
  const description = props.pipeline.description;
  const onSageMaker = !Orchestrator.isOrchestrator(props.orchestrator) || props.orchestrator.kind === OrchestratorKind.SAGEMAKER;
  if (onSageMaker && description !== undefined && description.length > 3072) {
    problems.push(`pipeline '${props.pipeline.name}' description has ${description.length} characters, but a SageMaker pipeline description takes at most 3072; shorten it`);
  }
  if (props.tracking !== undefined && !hasBrand(props.tracking, AWS_TRACKING_SERVER_BRAND)) {
    problems.push(hasBrand(props.tracking, K8S_TRACKING_SERVER_BRAND)
      ? `tracking is a Kubernetes tracking server (k8s.MlflowServer '${(props.tracking as { name?: string }).name}'), which the pipeline's SageMaker jobs cannot reach or be granted; give an aws.MlflowTrackingServer, e.g. new aws.MlflowTrackingServer(stack, 'Mlflow', {...})`
      : `tracking is ${show(props.tracking)}, not an aws.MlflowTrackingServer; give one, e.g. new aws.MlflowTrackingServer(stack, 'Mlflow', {...}), or leave tracking out`);
  }
  for (const email of props.alarmEmails ?? []) {
    if (!Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      problems.push(`alarmEmails holds ${show(email)}, which is not an e-mail address`);
    }
  }
  return problems;
}

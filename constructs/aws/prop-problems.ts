import { Token } from 'aws-cdk-lib';
import { show } from '../../lib/pipeline/errors';
import { PIPELINE_NAME } from '../../lib/pipeline/names';
import { Pipeline } from '../../lib/pipeline/pipeline';
import { Orchestrator } from './orchestrator';
import { MlPipelineProps } from './props';

/** What is wrong with the props themselves (the pipeline's content is checked at synth time). */
export function propProblems(props: MlPipelineProps): string[] {
  const problems: string[] = [];
  if (!Pipeline.isPipeline(props.pipeline)) {
    return [`pipeline is ${show(props.pipeline)}, not a Pipeline; pass new Pipeline('name', {...})`];
  }
  if (!Orchestrator.isOrchestrator(props.orchestrator)) {
    problems.push(`orchestrator is ${show(props.orchestrator)}; use Orchestrator.sageMaker()`);
  } else {
    problems.push(...props.orchestrator._renderer.optionProblems());
  }
  const name = props.pipelineName;
  if (name !== undefined && !Token.isUnresolved(name) && !PIPELINE_NAME.pattern.test(name)) {
    problems.push(`pipelineName ${show(name)} is invalid for SageMaker (allowed: ${PIPELINE_NAME.allowed}); e.g. ${show(name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'pipeline')}`);
  }
  const prefix = props.bucketPrefix;
  if (prefix !== undefined && (prefix === '' || prefix.startsWith('/') || prefix.endsWith('/') || !/^[A-Za-z0-9!_.*'()/-]+$/.test(prefix))) {
    problems.push(`bucketPrefix ${show(prefix)} is invalid (allowed: S3-safe characters without a leading or trailing '/'); e.g. 'pipelines/iris'`);
  }
  const description = props.pipeline.description;
  if (description !== undefined && description.length > 3072) {
    problems.push(`pipeline '${props.pipeline.name}' description has ${description.length} characters, but a SageMaker pipeline description takes at most 3072; shorten it`);
  }
  for (const email of props.alarmEmails ?? []) {
    if (!Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      problems.push(`alarmEmails holds ${show(email)}, which is not an e-mail address`);
    }
  }
  return problems;
}

/**
 * How model names become Argo and Kubernetes names. Decided once; changing a rule renames objects
 * in users' clusters, so treat these as part of the public contract.
 *
 * - Pipeline -> WorkflowTemplate / CronWorkflow name: lowercased. It must be a DNS-1123 label of
 *   at most 52 characters: Workflows started from it are named `<name>-<suffix>` and the workflow
 *   name is a pod label value (63 chars max). The longest suffix is the CronWorkflow's
 *   `-<10-digit unix time>` (11 chars), which is also why Argo caps CronWorkflow names at 52.
 * - Step -> template and DAG task name: lowercased, '_' replaced by '-'; the result must be a
 *   DNS-1123 label (63 chars max, it is a pod label value) and unique in the pipeline.
 */

/** A DNS-1123 label: lowercase letters, digits and '-', starting and ending alphanumeric. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const LABEL_MAX = 63;

/** The suffix Argo appends to a CronWorkflow's name for each run: `-` + 10-digit unix time. */
export const CRON_RUN_SUFFIX_LENGTH = 11;

/** The longest pipeline object name: the run suffix must still fit a 63-char label value. */
export const PIPELINE_OBJECT_NAME_MAX = LABEL_MAX - CRON_RUN_SUFFIX_LENGTH;

/** The name of the DAG template every compiled pipeline starts at. */
export const ENTRYPOINT = 'mlops-dag';

/** The Kubernetes form of a pipeline name (the model allows upper case; Kubernetes does not). */
export function pipelineObjectName(pipelineName: string): string {
  return pipelineName.toLowerCase();
}

/** The Argo template and task name of a step. */
export function stepTemplateName(stepName: string): string {
  return stepName.toLowerCase().replace(/_/g, '-');
}

/** A problem with an object name given or derived for a pipeline, or undefined. */
export function objectNameProblem(name: string, source: string): string | undefined {
  if (!DNS_LABEL.test(name) || name.length > PIPELINE_OBJECT_NAME_MAX) {
    return `object name '${name}' (${source}) is invalid for Argo Workflows (rule: a DNS-1123 label of lowercase letters, digits and '-', at most ${PIPELINE_OBJECT_NAME_MAX} chars, so that the '-<10-digit time>' suffix of scheduled runs still fits the 63-char label limit); shorten or rename it, e.g. '${suggest(name, PIPELINE_OBJECT_NAME_MAX)}'`;
  }
  return undefined;
}

/** Problems with the template names of a pipeline's steps: illegal, reserved or colliding. */
export function stepNameProblems(stepNames: string[]): string[] {
  const problems: string[] = [];
  const byTemplate = new Map<string, string>();
  for (const stepName of stepNames) {
    const template = stepTemplateName(stepName);
    const at = `step '${stepName}'`;
    if (!DNS_LABEL.test(template) || template.length > LABEL_MAX) {
      problems.push(`${at}: Argo template name '${template}' (the step name lowercased, '_' as '-') is invalid for Argo Workflows (rule: a DNS-1123 label, at most ${LABEL_MAX} chars, starting and ending with a letter or digit); rename the step, e.g. '${suggest(template, LABEL_MAX)}'`);
      continue;
    }
    if (template === ENTRYPOINT) {
      problems.push(`${at}: Argo template name '${template}' is reserved for the pipeline's DAG template on Argo Workflows; rename the step`);
      continue;
    }
    const other = byTemplate.get(template);
    if (other !== undefined) {
      problems.push(`${at}: steps '${other}' and '${stepName}' both become Argo template name '${template}' (rule: lowercased, '_' as '-'); rename one of them`);
      continue;
    }
    byTemplate.set(template, stepName);
  }
  return problems;
}

function suggest(name: string, max: number): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, max).replace(/-+$/, '');
  return cleaned || 'pipeline';
}

import { ArgoDocuments } from '../../../lib/compile/argo';

type Json = { [key: string]: any };

/**
 * The template a DAG task runs as Argo sees it for that task: found by the task's `template`
 * (steps of one shape share one), with `{{inputs.parameters.<name>}}` replaced by the task's
 * constant parameter arguments (those without a placeholder of their own), as the controller
 * substitutes a template's inputs before it runs the pod.
 */
export function taskTemplate(docs: ArgoDocuments, taskName: string): Json {
  const templates: Json[] = docs.workflowTemplate.spec.templates;
  const task = templates.find((t) => t.name === 'mlops-dag')!.dag.tasks.find((t: Json) => t.name === taskName);
  if (!task) {
    throw new Error(`no task ${taskName}`);
  }
  const template = templates.find((t) => t.name === task.template);
  if (!template) {
    throw new Error(`task ${taskName} runs template ${task.template}, which is not in the WorkflowTemplate`);
  }
  let text = JSON.stringify(template);
  for (const parameter of (task.arguments?.parameters ?? []) as Json[]) {
    if (typeof parameter.value === 'string' && !parameter.value.includes('{{')) {
      text = text.split(`{{inputs.parameters.${parameter.name}}}`).join(JSON.stringify(parameter.value).slice(1, -1));
    }
  }
  return { ...JSON.parse(text), name: taskName };
}

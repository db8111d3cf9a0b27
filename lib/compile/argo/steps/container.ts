import { gpuSelectionProblem } from '../../../kubernetes';
import { ArtifactType } from '../../../pipeline/artifacts';
import { isA } from '../../../pipeline/brand';
import { scriptRuntime, ScriptRuntime } from '../../../pipeline/code';
import { ContainerStep } from '../../../pipeline/steps/container-step';
import { StepNode } from '../../../pipeline/graph';
import { LiteralValue } from '../../../pipeline/values';
import { braceProblem, ENGINE } from '../checks';
import type { ArgoCompilation } from '../compilation';
import { ITEM_PARAMETER } from '../paths';
import { containerTemplate, parameterRefs, templateArguments } from '../step-templates';
import { ArgoStep, ArgoStepHandler } from './handler';

/**
 * A step that runs user code through the launcher: one container template; with forEach, its
 * task runs once per item (withItems). `outputPath` is where the kind writes each output port.
 */
export function containerStepHandler(outputPath: (port: string, type: ArtifactType) => string): ArgoStepHandler {
  return {
    compile(c: ArgoCompilation, node: StepNode): ArgoStep | undefined {
      const step = node.step as ContainerStep;
      c.problems.push(...containerProblems(c, node, step));
      const inputs = c.inputs(step);
      const parameters = parameterRefs(step).map(([param, ref]) => ({ name: param, value: `{{workflow.parameters.${ref.name}}}` }));
      return {
        templates: [containerTemplate(c, node, step, inputs, outputPath)],
        task: {
          parameters: [...templateArguments(c, node, step), ...(step.forEach !== undefined ? [{ name: ITEM_PARAMETER, value: '{{item}}' }] : []), ...parameters],
          artifacts: inputs.flatMap(([, input]) => (input.argument ? [input.argument] : [])),
          withItems: step.forEach && [...step.forEach],
        },
      };
    },
  };
}

function containerProblems(c: ArgoCompilation, node: StepNode, step: ContainerStep): string[] {
  const at = `step '${step.name}'`;
  const problems: string[] = [];
  if (c.imageOf(step) === undefined) {
    const runtime = scriptRuntime(step.entry) === ScriptRuntime.SHELL ? `sh for '${step.entry}' and python3 for the step launcher` : `python3 for '${step.entry}' and the step launcher`;
    problems.push(`${at}: has no container image, and ${ENGINE} runs every step in one; give the step an image, or the engine a defaultImage, that has ${runtime} plus the packages the script imports`);
  }
  const gpuProblem = gpuSelectionProblem(step.name, node.resources?.gpu ?? 0, c.options.gpu, ENGINE);
  if (gpuProblem) {
    problems.push(gpuProblem);
  }
  const retry = node.retry;
  if (retry && retry.maxRetries > 0 && !Number.isInteger(retry.backoffRate)) {
    problems.push(`${at}: retry backoffRate ${retry.backoffRate} cannot be expressed on ${ENGINE}, whose retryStrategy.backoff.factor is a whole number; use a whole backoffRate such as 1, 2 or 3`);
  }
  step.arguments.forEach((a, i) => problems.push(...braceProblem(`${at}: argument ${i + 1}`, a)));
  Object.entries(step.env).forEach(([variable, value]) => problems.push(...braceProblem(`${at}: env ${variable}`, value)));
  Object.entries(step.params).forEach(([param, value]) => {
    if (isA(value, LiteralValue) && typeof value.value === 'string') {
      problems.push(...braceProblem(`${at}: param '${param}'`, value.value));
    }
  });
  (step.forEach ?? []).forEach((item) => problems.push(...braceProblem(`${at}: forEach item`, item)));
  return problems;
}

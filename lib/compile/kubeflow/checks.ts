import { scriptRuntime, ScriptRuntime } from '../../pipeline/code';
import { ContainerStep } from '../../pipeline/steps/container-step';
import { show } from '../../pipeline/errors';
import { Step } from '../../pipeline/step';
import { LiteralValue, Value, ValueType } from '../../pipeline/values';
import { isA } from '../../pipeline/brand';
import { ENGINE_NAME } from './policies';

export function placeholderProblem(step: Step, what: string): string {
  return `step '${step.name}': ${what} contains '{{$', which ${ENGINE_NAME} reads as a placeholder and replaces at run time; remove it, or ship the text in a file with the step's code`;
}

/** KFP replaces `{{$...}}` in command-line arguments at run time, so user text must not contain it. */
export function placeholderProblems(step: ContainerStep): string[] {
  return [
    ...step.arguments.filter((a) => a.includes('{{$')).map((a) => placeholderProblem(step, `argument ${show(a)}`)),
    ...Object.entries(step.env).filter(([, v]) => v.includes('{{$')).map(([k, v]) => placeholderProblem(step, `env ${k}=${show(v)}`)),
    ...literalPlaceholderProblems(step, Object.values(step.params)),
  ];
}

export function literalPlaceholderProblems(step: Step, values: Value[]): string[] {
  return values
    .filter((v) => isA(v, LiteralValue) && v.type === ValueType.STRING && String(v.value).includes('{{$'))
    .map((v) => placeholderProblem(step, `literal ${show((v as LiteralValue).value)}`));
}

/** What a step's image must have, for the missing-image message. */
export function runtimeNeeds(entry: string): string {
  return scriptRuntime(entry) === ScriptRuntime.SHELL
    ? `python3 (for the step launcher) and sh (for the .sh entry '${entry}')`
    : `python3 (the step launcher and the .py entry '${entry}' run with it)`;
}

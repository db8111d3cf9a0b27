import { fromJson, JsonValue } from '@bufbuild/protobuf';
import { isCelError, run } from '@bufbuild/cel';
import { kubeflowRegistry } from './descriptors';

/**
 * Evaluates a task's trigger condition the way KFP's driver does: CEL over the task's
 * ExecutorInput, whose `inputs.parameter_values` hold the task's input parameters as
 * google.protobuf.Value. Throws when the expression does not evaluate to a boolean.
 */
export function evaluateTrigger(condition: string, parameterValues: { [name: string]: JsonValue }): boolean {
  const registry = kubeflowRegistry();
  const inputsType = registry.getMessage('ml_pipelines.ExecutorInput.Inputs')!;
  const inputs = fromJson(inputsType, { parameterValues }, { registry });
  const result = run(condition, { inputs }, { registry });
  if (isCelError(result)) {
    throw new Error(`CEL error in ${condition}: ${result.message}`);
  }
  if (typeof result !== 'boolean') {
    throw new Error(`CEL ${condition} gave ${String(result)}, not a boolean`);
  }
  return result;
}

import { SageMakerPipelineDefinition, StepDefinition } from '../../../lib/compile/sagemaker/definition';

/** Every step of a SageMaker definition, branch steps included, by name. */
export function stepsByName(definition: SageMakerPipelineDefinition): { [name: string]: StepDefinition } {
  const out: { [name: string]: StepDefinition } = {};
  const visit = (list: StepDefinition[]) => list.forEach((s) => {
    out[s.Name] = s;
    if (s.Type === 'Condition') {
      visit(s.Arguments.IfSteps);
      visit(s.Arguments.ElseSteps);
    }
  });
  visit(definition.Steps);
  return out;
}

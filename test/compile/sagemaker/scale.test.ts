import { generatedPipeline } from '../../../bench/support';
import { compileSageMaker } from '../../../lib/compile/sagemaker';
import { checkSageMakerArguments } from '../../support/aws';
import { testTarget } from '../../support/aws/sagemaker-target';

type Json = { [key: string]: any };

/** Every step of a definition, the condition branches' included. */
const allSteps = (steps: Json[]): Json[] => steps.flatMap((s) => [s, ...allSteps([...(s.Arguments?.IfSteps ?? []), ...(s.Arguments?.ElseSteps ?? [])])]);

describe('a generated pipeline of 2,000 steps (bench/support.ts, variants: 4, every step cached)', () => {
  const pipeline = generatedPipeline(2000, { cache: true, variants: 4 });
  const definition = compileSageMaker(pipeline, testTarget()) as unknown as Json;

  test('compiles to one definition with a step per model step, each job launching its own step', () => {
    const steps = allSteps(definition.Steps);
    expect(steps.map((s) => s.Name).sort()).toEqual(pipeline.allSteps().map((s) => s.name).sort());
    for (const step of steps.filter((s) => s.Type === 'Processing')) {
      expect(step.Arguments.Environment.MLOPS_STEP).toBe(step.Name);
      expect(step.Arguments.ProcessingResources.ClusterConfig.InstanceCount).toBe(1);
    }
  });

  test("every step's arguments pass botocore's SageMaker request shapes", () => {
    expect(checkSageMakerArguments({ generated: definition })).toEqual([]);
  });
});

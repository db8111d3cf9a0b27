import { Pipeline, Step } from '../../../lib/pipeline';
import { FIXTURE_CODE } from '../../conformance/features';

/**
 * A pipeline of `steps` script steps, each reading the one before, for size and speed tests:
 * every step compiles to a full Processing step with inputs, outputs and environment.
 */
export function chainPipeline(steps: number, name = `chain-${steps}`): Pipeline {
  const p = new Pipeline(name);
  let previous: ReturnType<typeof Step.script> | undefined;
  for (let i = 0; i < steps; i++) {
    const step = Step.script(`step-${i}`, {
      code: FIXTURE_CODE,
      entry: 'noop.py',
      outputs: ['data'],
      inputs: previous ? { data: previous.output('data') } : undefined,
      metrics: ['score'],
    });
    p.addStep(step);
    previous = step;
  }
  return p;
}

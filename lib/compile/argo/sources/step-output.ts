import { ArtifactType, DataSource, describeType, StepArtifact } from '../../../pipeline/artifacts';
import { Step } from '../../../pipeline/step';
import { ENGINE } from '../checks';
import type { ArgoCompilation } from '../compilation';
import { stepTemplateName } from '../names';
import { inputPath } from '../paths';
import { ArgoInput, ArgoSourceResolver } from './resolver';

/** An output port of a step that runs once: its task's output artifact of the port's name, passed with `from:`. */
export const STEP_OUTPUT_SOURCE: ArgoSourceResolver = {
  resolve(c: ArgoCompilation, step: Step, input: string, given: DataSource): ArgoInput | undefined {
    // The model has checked that a source of this kind is a StepArtifact.
    const source = given as StepArtifact;
    if (source.type === ArtifactType.REGISTERED_MODEL_VERSION) {
      c.problems.push(`step '${step.name}': input '${input}' reads ${source}, ${describeType(source.type)}, which ${ENGINE} keeps as the register task's 'version' output parameter, not as an artifact a step can read; read the model itself, or the version in a later step kind that supports it`);
      return undefined;
    }
    return {
      artifact: { name: input, path: inputPath(input) },
      argument: { name: input, from: `{{tasks.${stepTemplateName(source.step.name)}.outputs.artifacts.${source.name}}}` },
    };
  },
};

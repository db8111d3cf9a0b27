import { ArtifactType, DataSource, describeType, StepArtifact } from '../../../pipeline/artifacts';
import { Step } from '../../../pipeline/step';
import { artifactDefinition, artifactNeed, schemaTitleOf } from '../channels';
import type { KubeflowCompilation, Level } from '../compile';
import { inputPath } from '../executors';
import { ENGINE_NAME } from '../policies';
import { KubeflowSourceResolver, ResolvedInput } from './resolver';

/** An output port of a step that runs once: its task's output artifact, read by path. */
export const STEP_OUTPUT_SOURCE: KubeflowSourceResolver = {
  resolve(c: KubeflowCompilation, step: Step, input: string, given: DataSource, level: Level): ResolvedInput | undefined {
    // The model has checked that a source of this kind is a StepArtifact.
    const source = given as StepArtifact;
    if (source.type === ArtifactType.REGISTERED_MODEL_VERSION) {
      c.problems.push(`step '${step.name}': input '${input}' reads ${source}, ${describeType(source.type)}, which ${ENGINE_NAME} keeps as the register task's 'version' output parameter, not as an artifact a step can read; read the model itself, or the version in a later step kind that supports it`);
      return undefined;
    }
    return {
      definition: artifactDefinition(schemaTitleOf(source.type)),
      binding: c.bind(artifactNeed(source.step, source.name, source.type), level),
      path: inputPath(input),
      launcherArguments: [],
      needsExecutorInput: false,
      dependsOn: [],
    };
  },
};

import { isA } from './brand';
import { imageWarnings } from './images';
import { Pipeline } from './pipeline';
import { ContainerStep } from './steps/container-step';

/**
 * The synth warnings for a pipeline's unpinned images: each container step's own image, and each
 * engine or construct default that some step without an image runs (`defaults` by option name,
 * e.g. { 'Argo option defaultImage': ... }). One warning per distinct message.
 */
export function pipelineImageWarnings(pipeline: Pipeline, defaults: { [what: string]: string | undefined } = {}): string[] {
  const warnings = new Set<string>();
  let usesDefault = false;
  for (const step of pipeline.allSteps()) {
    if (!isA(step, ContainerStep)) {
      continue;
    }
    if (step.image === undefined) {
      usesDefault = true;
    } else {
      imageWarnings(`step '${step.name}': image`, step.image).forEach((w) => warnings.add(w));
    }
  }
  if (usesDefault) {
    for (const [what, image] of Object.entries(defaults)) {
      imageWarnings(what, image).forEach((w) => warnings.add(w));
    }
  }
  return [...warnings];
}

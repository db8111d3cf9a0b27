import { imageProblem } from '../pipeline/images';
import { optionalProblem } from '../pipeline/rules';

/** True for text a container runtime can take as an image reference (the OCI distribution grammar). */
export function isImageReference(image: unknown): image is string {
  return imageProblem('image', image) === undefined;
}

/**
 * Problems with an engine's image options, each naming the option: `<prefix> defaultImage ...`.
 * Unset options are fine; the steps that need an image say so.
 */
export function imageOptionProblems(prefix: string, images: { [option: string]: unknown }): string[] {
  return Object.entries(images)
    .filter(([, image]) => image !== undefined)
    .flatMap(([option, image]) => optionalProblem(imageProblem(`${prefix} ${option}`, image)));
}

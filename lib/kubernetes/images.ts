import { show } from '../pipeline/errors';

/** True for text a container runtime can take as an image reference (no blanks). */
export function isImageReference(image: unknown): image is string {
  return typeof image === 'string' && image.trim() !== '' && !/\s/.test(image);
}

/**
 * Problems with an engine's image options, each naming the option: `<prefix> defaultImage ...`.
 * Unset options are fine; the steps that need an image say so.
 */
export function imageOptionProblems(prefix: string, images: { [option: string]: unknown }): string[] {
  return Object.entries(images)
    .filter(([, image]) => image !== undefined && !isImageReference(image))
    .map(([option, image]) => `${prefix} ${option} ${show(image)} is not an image reference; give e.g. 'python:3.12-slim' or omit it`);
}

import { SKLEARN_REPOSITORY, SKLEARN_TAG } from '../compile/sagemaker/sklearn-image';

/** The scikit-learn version (major.minor) of SageMaker's default image, from its tag ('1.2-1-cpu-py3'). */
export const DEFAULT_IMAGE_SKLEARN = SKLEARN_TAG.split('-')[0];

/**
 * What a user should know about the venv's pins against SageMaker's default image: a model pickled
 * by one scikit-learn minor version may not load in another. Empty when the pins agree or are absent.
 */
export function defaultImageDifferences(requirements: { readonly name: string; readonly pinned?: string }[], from: string): string[] {
  return requirements
    .filter((r) => r.name.toLowerCase().replace(/[-_.]+/g, '-') === 'scikit-learn' && r.pinned !== undefined)
    .filter((r) => r.pinned!.split('.').slice(0, 2).join('.') !== DEFAULT_IMAGE_SKLEARN)
    .map((r) => `the venv has scikit-learn ${r.pinned} (${from}); SageMaker's default image (${SKLEARN_REPOSITORY}:${SKLEARN_TAG}) has scikit-learn ${DEFAULT_IMAGE_SKLEARN}, so a model trained in one may not load in the other; pin scikit-learn==${DEFAULT_IMAGE_SKLEARN}.* here, or give the steps an image with ${r.pinned}`);
}

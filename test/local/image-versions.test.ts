import { DEFAULT_IMAGE_SKLEARN, defaultImageDifferences } from '../../lib/local/image-versions';

test("SageMaker's default image has scikit-learn 1.2", () => {
  expect(DEFAULT_IMAGE_SKLEARN).toBe('1.2');
});

test('a venv pinning another scikit-learn minor version than the default image gets one note naming both and the fix', () => {
  expect(defaultImageDifferences([{ name: 'numpy', pinned: '2.2.6' }, { name: 'scikit-learn', pinned: '1.6.1' }], 'examples/requirements.txt')).toEqual([
    "the venv has scikit-learn 1.6.1 (examples/requirements.txt); SageMaker's default image (sagemaker-scikit-learn:1.2-1-cpu-py3) has scikit-learn 1.2, so a model trained in one may not load in the other; pin scikit-learn==1.2.* here, or give the steps an image with 1.6.1",
  ]);
  expect(defaultImageDifferences([{ name: 'Scikit_Learn', pinned: '1.3.0' }], 'r.txt')).toHaveLength(1);
});

test('the same minor version, or no pin, says nothing', () => {
  expect(defaultImageDifferences([{ name: 'scikit-learn', pinned: '1.2.2' }], 'r.txt')).toEqual([]);
  expect(defaultImageDifferences([{ name: 'scikit-learn' }], 'r.txt')).toEqual([]);
  expect(defaultImageDifferences([{ name: 'pandas', pinned: '2.2.3' }], 'r.txt')).toEqual([]);
});

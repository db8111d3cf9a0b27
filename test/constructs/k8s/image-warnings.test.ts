import { Chart, Testing } from 'cdk8s';
import { Engine, MlPipeline, SynthWarnings } from '../../../constructs/k8s';
import { Pipeline, Step } from '../../../lib';
import { FIXTURE_CODE } from '../../conformance/features';

jest.spyOn(console, 'warn').mockImplementation(() => undefined);

function warningsOf(images: (string | undefined)[], engine: Engine): string[] {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  const p = new Pipeline('images');
  images.forEach((image, i) => p.addStep(Step.script(`s${i}`, { code: FIXTURE_CODE, entry: 'noop.py', image })));
  new MlPipeline(chart, 'P', { pipeline: p, engine });
  Testing.synth(chart);
  return SynthWarnings.of(chart).filter((w) => /(: i|I)mage '/.test(w));
}

describe.each([
  ['Argo', () => Engine.argo({ defaultImage: 'python:3.12-slim' })],
  ['Kubeflow', () => Engine.kubeflow({ defaultImage: 'python:3.12-slim' })],
] as const)('on %s', (_name, engine) => {
  test('an untagged or :latest step image is a synth warning with the construct path', () => {
    expect(warningsOf(['busybox', 'ghcr.io/org/app:latest', 'python:3.12', undefined], engine())).toEqual([
      "[test/P] step 's0': image 'busybox' has no tag, so it means ':latest', which can change between runs; pin it with a version tag (e.g. 'busybox:1.2.3') or a digest ('@sha256:...') so every run uses the same image",
      "[test/P] step 's1': image 'ghcr.io/org/app:latest' uses the ':latest' tag, which can change between runs; pin it with a version tag (e.g. 'ghcr.io/org/app:1.2.3') or a digest ('@sha256:...') so every run uses the same image",
    ]);
  });

  test('an unpinned engine default image warns where a step runs it; a given utilityImage always', () => {
    const name = engine().kind === 'argo' ? 'Engine.argo' : 'Engine.kubeflow';
    const unpinned = name === 'Engine.argo'
      ? Engine.argo({ defaultImage: 'python', utilityImage: 'busybox:latest' })
      : Engine.kubeflow({ defaultImage: 'python', utilityImage: 'busybox:latest' });
    expect(warningsOf(['python:3.12'], unpinned)).toEqual([
      `[test/P] ${name} option utilityImage 'busybox:latest' uses the ':latest' tag, which can change between runs; pin it with a version tag (e.g. 'busybox:1.2.3') or a digest ('@sha256:...') so every run uses the same image`,
    ]);
    expect(warningsOf([undefined], unpinned)[0]).toBe(
      `[test/P] ${name} option defaultImage 'python' has no tag, so it means ':latest', which can change between runs; pin it with a version tag (e.g. 'python:1.2.3') or a digest ('@sha256:...') so every run uses the same image`);
  });

  test('pinned images give no warning', () => {
    expect(warningsOf(['python:3.12', `python@sha256:${'a'.repeat(64)}`], engine())).toEqual([]);
  });
});

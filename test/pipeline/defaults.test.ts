import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CachePolicy, Pipeline, PipelineValidationError, RetryPolicy, Step } from '../../lib';
import { compileArgo } from '../../lib/compile/argo';
import { compileKubeflow } from '../../lib/compile/kubeflow';
import { compileSageMaker } from '../../lib/compile/sagemaker';
import { runLocally } from '../../lib/local';
import { Resources } from '../../lib/pipeline/resources';
import { FIXTURE_CODE } from '../conformance/features';
import { testTarget } from '../support/aws/sagemaker-target';

const code = FIXTURE_CODE;
const entry = 'noop.py';
const IMAGE = 'python:3.12-slim';

function withDefaults(props: { defaultResources?: Resources; defaultRetry?: RetryPolicy; defaultCache?: CachePolicy }): Pipeline {
  const p = new Pipeline('defaults', props);
  p.addStep(Step.script('a', { code, entry }));
  return p;
}

const BAD_DEFAULTS = {
  defaultResources: { cpu: -1, memoryGiB: NaN, gpu: 0.5, diskGiB: 0 },
  defaultRetry: RetryPolicy.of({ maxRetries: -2, intervalSeconds: -5, backoffRate: 0 }),
  defaultCache: CachePolicy.enabled({ expireAfterHours: -1 }),
};

/** The same messages a step gets for these values, said of the pipeline default. */
const EXPECTED = [
  'pipeline default defaultResources: resources.cpu -1 is invalid (allowed: a number > 0)',
  'pipeline default defaultResources: resources.memoryGiB NaN is invalid (allowed: a number > 0)',
  'pipeline default defaultResources: resources.diskGiB 0 is invalid (allowed: a number > 0)',
  'pipeline default defaultResources: resources.gpu 0.5 is invalid (allowed: a whole number >= 0)',
  'pipeline default defaultRetry: retry maxRetries -2 is invalid (allowed: a whole number >= 0); e.g. RetryPolicy.of({ maxRetries: 2 })',
  'pipeline default defaultRetry: retry intervalSeconds -5 is invalid (allowed: a number >= 0)',
  'pipeline default defaultRetry: retry backoffRate 0 is invalid (allowed: a number >= 1; 1 means a constant wait)',
  'pipeline default defaultCache: cache expireAfterHours -1 is invalid (allowed: a number > 0); omit it for no expiry',
];

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    expect(PipelineValidationError.isPipelineValidationError(e)).toBe(true);
    return (e as PipelineValidationError).problems;
  }
  throw new Error('expected a PipelineValidationError');
}

describe('pipeline-wide defaults get the checks the same values get on a step', () => {
  test('the model lists each bad default, naming it as the pipeline default', () => {
    expect(withDefaults(BAD_DEFAULTS).problems()).toEqual(EXPECTED);
  });

  test('a step with the same values gets the same rule text, said of the step', () => {
    const p = new Pipeline('on-step');
    p.addStep(Step.script('a', { code, entry, resources: BAD_DEFAULTS.defaultResources, retry: BAD_DEFAULTS.defaultRetry, cache: BAD_DEFAULTS.defaultCache }));
    expect(p.problems()).toEqual(EXPECTED.map((m) => m.replace(/^pipeline default default\w+: /, "step 'a': ")));
  });

  test('SageMaker, Argo and Kubeflow refuse them before emitting anything', () => {
    const p = withDefaults(BAD_DEFAULTS);
    expect(problemsOf(() => compileSageMaker(p, testTarget()))).toEqual(EXPECTED);
    expect(problemsOf(() => compileArgo(p, { defaultImage: IMAGE, codeConfigMapName: () => 'code' }))).toEqual(EXPECTED);
    expect(problemsOf(() => compileKubeflow(p, { defaultImage: IMAGE, codeConfigMapName: () => 'code' }))).toEqual(EXPECTED);
  });

  test('the local runner refuses them before running anything', async () => {
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-defaults-'));
    try {
      await expect(runLocally(withDefaults(BAD_DEFAULTS), { runsDir, cacheDir: path.join(runsDir, 'cache'), registryDir: path.join(runsDir, 'registry') }))
        .rejects.toThrow(EXPECTED[0]);
      expect(fs.readdirSync(runsDir)).toEqual([]);
    } finally {
      fs.rmSync(runsDir, { recursive: true, force: true });
    }
  });

  test('a default that is not a policy object is named, not dereferenced', () => {
    const p = withDefaults({ defaultRetry: { maxRetries: 2 } as unknown as RetryPolicy, defaultCache: 'on' as unknown as CachePolicy, defaultResources: 4 as unknown as Resources });
    expect(p.problems()).toEqual([
      'pipeline default defaultResources: resources 4 is not a resources object; give e.g. { cpu: 1, memoryGiB: 2 }',
      'pipeline default defaultRetry: retry {"maxRetries":2} is not a RetryPolicy; use RetryPolicy.of({ maxRetries: 2 }) or RetryPolicy.none()',
      "pipeline default defaultCache: cache 'on' is not a CachePolicy; use CachePolicy.enabled() or CachePolicy.disabled()",
    ]);
  });

  test('valid defaults pass', () => {
    expect(withDefaults({ defaultResources: { cpu: 0.5, memoryGiB: 1, gpu: 0 }, defaultRetry: RetryPolicy.of({ maxRetries: 2 }), defaultCache: CachePolicy.enabled({ expireAfterHours: 24 }) }).problems()).toEqual([]);
  });
});

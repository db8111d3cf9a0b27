import { execFileSync } from 'child_process';
import { Pipeline, PipelineValidationError, RetryPolicy, Step } from '../../../lib';
import { compileSageMaker } from '../../../lib/compile/sagemaker';
import { SAGEMAKER_RULES, SageMakerLimit } from '../../../lib/compile/sagemaker/limits';
import { FIXTURE_CODE } from '../../conformance/features';
import { testTarget } from '../../support/aws/sagemaker-target';

const code = FIXTURE_CODE;
const entry = 'noop.py';
const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

function problemsOf(pipeline: Pipeline): string[] {
  try {
    compileSageMaker(pipeline, testTarget());
  } catch (e) {
    expect(PipelineValidationError.isPipelineValidationError(e)).toBe(true);
    return (e as PipelineValidationError).problems;
  }
  throw new Error('expected the pipeline to be refused');
}

/** The botocore shapes a rule names in its source. */
function shapesOf(rule: SageMakerLimit): string[] {
  const match = /service-2\.json shape (.+?)(?: \(|$)/.exec(rule.source);
  return match ? match[1].split(', ') : [];
}

test('every API-model number matches botocore\'s sagemaker service model', () => {
  const rules = Object.values(SAGEMAKER_RULES) as SageMakerLimit[];
  const shapes = [...new Set(rules.flatMap(shapesOf))];
  const model = JSON.parse(execFileSync('python3', ['-c', [
    'import json, sys, botocore.session',
    "m = botocore.session.get_session().get_service_model('sagemaker')",
    'stop = m.shape_for("StoppingCondition").members["MaxRuntimeInSeconds"].documentation',
    's = {n: [m.shape_for(n).metadata.get("min"), m.shape_for(n).metadata.get("max"), stop if n == "MaxRuntimeInSeconds" else ""] for n in sys.argv[1:]}',
    'print(json.dumps(s))',
  ].join('\n'), ...shapes], { encoding: 'utf8', maxBuffer: 1 << 24 })) as { [shape: string]: [number | null, number | null, string] };

  const mismatches: string[] = [];
  for (const [name, rule] of Object.entries(SAGEMAKER_RULES) as [string, SageMakerLimit][]) {
    for (const shape of shapesOf(rule)) {
      const [min, max, doc] = model[shape];
      const documentedMax = max ?? (/The maximum value is 28 days/.test(doc) ? 28 * 86400 : null);
      if (documentedMax !== rule.max || (rule.min !== undefined && min !== rule.min)) {
        mismatches.push(`${name} (${shape}): ours ${rule.min}..${rule.max}, botocore ${min}..${documentedMax}`);
      }
    }
  }
  expect(mismatches).toEqual([]);
  expect(shapes.length).toBeGreaterThanOrEqual(18);
});

test('the pipeline-definition limits are the documented ones', () => {
  expect(SAGEMAKER_RULES.retryIntervalSeconds).toMatchObject({ min: 0, max: 43200 });
  expect(SAGEMAKER_RULES.maxRetryAttempts).toMatchObject({ min: 1, max: 20 });
  expect(SAGEMAKER_RULES.retryIntervalSeconds.source).toMatch(/pipelines-retry-policy/);
});

describe('limits the step handlers leave to the rule list', () => {
  test('a training step runs at most 28 days', () => {
    const p = new Pipeline('long-training');
    p.addStep(Step.training('fit', { code, entry, timeoutSeconds: 2419201 }));
    expect(problemsOf(p)).toEqual([
      "step 'fit': timeoutSeconds 2419201 is more than a SageMaker training job may run (StoppingCondition.MaxRuntimeInSeconds 1 to 2419200 s, 28 days); lower it, or split the training and resume from a checkpoint",
    ]);
    const ok = new Pipeline('ok-training');
    ok.addStep(Step.training('fit', { code, entry, timeoutSeconds: 2419200 }));
    expect(compileSageMaker(ok, testTarget()).Steps[0]).toMatchObject({ Arguments: { StoppingCondition: { MaxRuntimeInSeconds: 2419200 } } });
  });

  test('a processing step still runs at most 9 days', () => {
    const p = new Pipeline('long-processing');
    p.addStep(Step.script('prep', { code, entry, timeoutSeconds: 777601 }));
    expect(problemsOf(p)).toEqual([
      "step 'prep': timeoutSeconds 777601 is more than a SageMaker processing job may run (777600 s, 9 days); lower it or make the step a training step",
    ]);
  });

  test('a retry interval over 12 hours, on a step and as the pipeline default (reported once)', () => {
    const p = new Pipeline('slow-retry', { defaultRetry: RetryPolicy.of({ maxRetries: 1, intervalSeconds: 50000 }) });
    p.addStep(
      Step.script('a', { code, entry }),
      Step.script('b', { code, entry }),
      Step.script('c', { code, entry, retry: RetryPolicy.of({ maxRetries: 2, intervalSeconds: 43200.5 }) }),
      Step.script('d', { code, entry, retry: RetryPolicy.of({ maxRetries: 2, intervalSeconds: 43200 }) }),
    );
    expect(problemsOf(p)).toEqual([
      'pipeline default defaultRetry: retry intervalSeconds 50000 is more than SageMaker allows; SageMaker waits at most 43200 s (12 hours) before a retry (RetryPolicy IntervalSeconds 0 to 43200); lower intervalSeconds',
      "step 'c': retry intervalSeconds 43200.5 is more than SageMaker allows; SageMaker waits at most 43200 s (12 hours) before a retry (RetryPolicy IntervalSeconds 0 to 43200); lower intervalSeconds",
    ]);
  });

  test('more than 20 attempts', () => {
    const p = new Pipeline('many-retries');
    p.addStep(Step.script('a', { code, entry, retry: RetryPolicy.of({ maxRetries: 21 }) }));
    expect(problemsOf(p)).toEqual([
      "step 'a': retry maxRetries 21 is more than SageMaker allows (RetryPolicy MaxAttempts 1 to 20); use RetryPolicy.of({ maxRetries: 20 }) or fewer",
    ]);
  });

  test('an image URI over 255 characters', () => {
    const image = `${ECR}/${'a'.repeat(200)}:${'t'.repeat(20)}`;
    const p = new Pipeline('long-image');
    p.addStep(Step.script('a', { code, entry, image }));
    expect(problemsOf(p)).toEqual([
      `step 'a': image '${image.slice(0, 40)}...' has ${image.length} characters, but SageMaker takes image URIs of at most 255 (AppSpecification.ImageUri / AlgorithmSpecification.TrainingImage); use a shorter repository name or tag`,
    ]);
  });

  test('an env name over the job type\'s key length', () => {
    const name = `X${'_'.repeat(256)}`;
    const p = new Pipeline('long-env-name');
    p.addStep(Step.script('a', { code, entry, env: { [name]: 'v' } }), Step.training('t', { code, entry, env: { [name]: 'v' } }));
    expect(problemsOf(p)).toEqual([
      `step 'a': env name '${name.slice(0, 40)}...' has 257 characters, but SageMaker takes at most 256 for a processing job's Environment key; shorten it`,
    ]);
  });
});

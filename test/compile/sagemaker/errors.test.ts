/**
 * What the model can say but SageMaker cannot run: each is a synth-time PipelineValidationError
 * naming the pipeline, the step, the value, the rule and a fix. (Model-level errors such as
 * duplicate names or cycles are tested in test/pipeline.)
 */
import { compileSageMaker } from '../../../lib/compile/sagemaker';
import { Code, PipelineValidationError, Pipeline, RetryPolicy, Step, StepArtifact, Value } from '../../../lib/pipeline';
import { FIXTURE_CODE, GPU_IMAGE } from '../../conformance/features';
import { testTarget } from '../../support/aws/sagemaker-target';

const code: Code = FIXTURE_CODE;
const entry = 'noop.py';

/** Compiles a one-pipeline model and returns the error's message (failing the test if none). */
function errorOf(build: (p: Pipeline) => void, name = 'bad'): string {
  const p = new Pipeline(name);
  build(p);
  try {
    compileSageMaker(p, testTarget());
  } catch (e) {
    expect(e).toBeInstanceOf(PipelineValidationError);
    return (e as Error).message;
  }
  throw new Error('expected a PipelineValidationError');
}

test('retries over SageMaker\'s 20', () => {
  const message = errorOf((p) => p.addStep(Step.script('flaky', { code, entry, retry: RetryPolicy.of({ maxRetries: 25 }) })));
  expect(message).toBe(
    "Pipeline 'bad' on SageMaker: step 'flaky': retry maxRetries 25 is more than SageMaker allows (RetryPolicy MaxAttempts 1 to 20); use RetryPolicy.of({ maxRetries: 20 }) or fewer",
  );
});

test('an unknown instance type, with the closest valid names', () => {
  const message = errorOf((p) => p.addStep(Step.script('sized', { code, entry, resources: { sageMakerInstanceType: 'ml.m5.larg' } })));
  expect(message).toMatch(/^Pipeline 'bad' on SageMaker: step 'sized': sageMakerInstanceType 'ml\.m5\.larg' is not a SageMaker processing instance type; closest valid: ml\.m5\.large, /);
});

test('an instance type SageMaker has for training jobs only, on a script step', () => {
  const message = errorOf((p) => p.addStep(Step.script('sized', { code, entry, resources: { sageMakerInstanceType: 'ml.p4d.24xlarge' } })));
  expect(message).toContain("step 'sized': sageMakerInstanceType 'ml.p4d.24xlarge' is not a SageMaker processing instance type (SageMaker has it for training jobs only); closest valid:");
});

test('resources no instance type fits', () => {
  const message = errorOf((p) => p.addStep(Step.training('huge', { code, entry, resources: { cpu: 500, memoryGiB: 4096 } })));
  expect(message).toBe(
    "Pipeline 'bad' on SageMaker: step 'huge': no SageMaker instance type fits resources {\"cpu\":500,\"memoryGiB\":4096} (the largest offered here: 192 vCPUs, 768 GiB, 8 GPUs, not all on one type); lower the resources or set resources.sageMakerInstanceType",
  );
});

test('an explicit instance type smaller than the resources asked for', () => {
  const message = errorOf((p) => p.addStep(Step.training('fit', { code, entry, resources: { gpu: 2, memoryGiB: 64, sageMakerInstanceType: 'ml.m5.large' } })));
  expect(message).toBe(
    "Pipeline 'bad' on SageMaker: step 'fit': resources ask for 64 GiB of memory (it has 8), 2 GPUs (it has 0) but sageMakerInstanceType is 'ml.m5.large'; choose a larger instance type or lower the resources",
  );
});

test("a GPU step on SageMaker's scikit-learn image (the default, or named) asks for a GPU image", () => {
  const gpuStep = (image?: string) => errorOf((p) => p.addStep(Step.training('fit', { code, entry, image, resources: { gpu: 1 } })));
  const fix = "which is CPU-only (SageMaker publishes no GPU scikit-learn image); set the step's image (or Orchestrator.sageMaker({ defaultImage })) to a GPU image, e.g. the region's SageMaker PyTorch GPU training image, or drop the GPU";
  expect(gpuStep()).toBe(`Pipeline 'bad' on SageMaker: step 'fit': runs on ml.g4dn.xlarge with 1 GPU, but its image is the default image, SageMaker's scikit-learn container, ${fix}`);
  expect(gpuStep('683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3')).toBe(
    `Pipeline 'bad' on SageMaker: step 'fit': runs on ml.g4dn.xlarge with 1 GPU, but its image is SageMaker's scikit-learn container, ${fix}`);
  const named = errorOf((p) => p.addStep(Step.script('prep', { code, entry, resources: { sageMakerInstanceType: 'ml.g5.2xlarge' } })));
  expect(named).toContain("step 'prep': runs on ml.g5.2xlarge with 1 GPU, but its image is the default image");
});

test('a GPU step with a GPU image compiles', () => {
  const p = new Pipeline('gpu');
  p.addStep(Step.training('fit', { code, entry, image: GPU_IMAGE, resources: { gpu: 1 } }));
  expect(() => compileSageMaker(p, testTarget())).not.toThrow();
});

test('an image outside Amazon ECR', () => {
  const message = errorOf((p) => p.addStep(Step.script('hub', { code, entry, image: 'python:3.11-slim' })));
  expect(message).toBe(
    "Pipeline 'bad' on SageMaker: step 'hub': image 'python:3.11-slim' is not in Amazon ECR, and SageMaker runs images only from ECR (<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>); push it to an ECR repository and use that URI, or leave image out for the region's scikit-learn image",
  );
});

test('a forEach item that gives an invalid SageMaker step name', () => {
  const message = errorOf((p) => p.addStep(Step.script('each', { code, entry, forEach: ['eu west', 'us'] })));
  expect(message).toBe(
    "Pipeline 'bad' on SageMaker: step 'each': forEach item 'eu west' gives the SageMaker step name 'each-eu west', which is invalid (allowed: letters, digits, '-' and '_', 1 to 64 chars); use items of letters, digits, '-' and '_', or a shorter step name",
  );
});

test('a forEach step name over 64 characters once the item is appended', () => {
  const name = 's'.repeat(60);
  const message = errorOf((p) => p.addStep(Step.script(name, { code, entry, forEach: ['north', 'south'] })));
  expect(message).toContain(`step '${name}': forEach item 'north' gives the SageMaker step name '${name}-north', which is invalid (allowed: letters, digits, '-' and '_', 1 to 64 chars)`);
  expect(message).toContain("forEach item 'south'");
});

test('a forEach copy whose name another step already has', () => {
  const message = errorOf((p) => p.addStep(Step.script('each-x', { code, entry }), Step.script('each', { code, entry, forEach: ['x', 'y'] })));
  expect(message).toBe(
    "Pipeline 'bad' on SageMaker: step 'each': forEach item 'x' gives the SageMaker step name 'each-x', which step 'each-x' already has; SageMaker step names must be unique, rename one of the steps or items",
  );
});

test('more inputs than a processing job takes', () => {
  const message = errorOf((p) => {
    const src = Step.script('src', { code, entry, outputs: ['o'] });
    const inputs = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`in${i}`, src.output('o') as StepArtifact]));
    p.addStep(src, Step.script('wide', { code, entry, inputs }));
  });
  expect(message).toBe(
    "Pipeline 'bad' on SageMaker: step 'wide': has 10 inputs, but a SageMaker processing job takes at most 10 (one carries the step's code), so at most 9; merge inputs into fewer directories",
  );
});

test('more outputs than a processing job writes (metrics count as one)', () => {
  const outputs = Array.from({ length: 10 }, (_, i) => `out${i}`);
  const message = errorOf((p) => p.addStep(Step.script('many', { code, entry, outputs, metrics: ['score'] })));
  expect(message).toBe(
    "Pipeline 'bad' on SageMaker: step 'many': has 10 outputs plus its metrics, but a SageMaker processing job writes at most 10; merge outputs into fewer directories",
  );
});

test('a processing timeout over 9 days', () => {
  const message = errorOf((p) => p.addStep(Step.script('slow', { code, entry, timeoutSeconds: 1_000_000 })));
  expect(message).toBe(
    "Pipeline 'bad' on SageMaker: step 'slow': timeoutSeconds 1000000 is more than a SageMaker processing job may run (777600 s, 9 days); lower it or make the step a training step",
  );
});

test('an environment value over the processing limit of 256 characters', () => {
  const message = errorOf((p) => p.addStep(Step.script('env', { code, entry, env: { QUERY: 'x'.repeat(300) } })));
  expect(message).toBe(
    "Pipeline 'bad' on SageMaker: step 'env': environment variable QUERY is 300 characters long, but SageMaker takes at most 256 for this job type; shorten the value or pass it in a file",
  );
});

test('more than 100 environment variables', () => {
  const params = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`p${i}`, Value.integer(i)]));
  const message = errorOf((p) => p.addStep(Step.script('crowded', { code, entry, params })));
  expect(message).toBe(
    "Pipeline 'bad' on SageMaker: step 'crowded': needs 105 environment variables (the step contract's plus 100 params and 0 env entries), but SageMaker takes at most 100; pass fewer params or env entries",
  );
});

test('a script argument over 256 characters', () => {
  const message = errorOf((p) => p.addStep(Step.script('args', { code, entry, arguments: ['--sql', `select ${'x'.repeat(300)}`] })));
  expect(message).toContain("step 'args': argument 'select xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' has 307 characters, but SageMaker takes at most 256 per container argument; pass it in a file or split it");
});

test('more container arguments than SageMaker takes', () => {
  const message = errorOf((p) => p.addStep(Step.script('argv', { code, entry, arguments: Array.from({ length: 120 }, (_, i) => `a${i}`) })));
  expect(message).toBe(
    "Pipeline 'bad' on SageMaker: step 'argv': needs 123 container arguments (the launcher's options plus the script's 120 arguments), but SageMaker takes at most 100; pass long lists in a file or a parameter",
  );
});

test('a processing volume over 16 TiB', () => {
  const message = errorOf((p) => p.addStep(Step.script('disk', { code, entry, resources: { diskGiB: 20_000 } })));
  expect(message).toBe(
    "Pipeline 'bad' on SageMaker: step 'disk': resources.diskGiB 20000 is more than a SageMaker processing volume holds (16384 GiB); lower it",
  );
});

test('more than 40 training metrics', () => {
  const metrics = Array.from({ length: 41 }, (_, i) => `m${i}`);
  const message = errorOf((p) => p.addStep(Step.training('fit', { code, entry, metrics })));
  expect(message).toBe(
    "Pipeline 'bad' on SageMaker: step 'fit': declares 41 metrics, but a SageMaker training job reports at most 40; keep the ones conditions read",
  );
});

test('a model package description over 1024 characters', () => {
  const message = errorOf((p) => {
    const t = Step.training('fit', { code, entry });
    p.addStep(t, Step.registerModel('register', { model: t.model(), group: 'models', description: 'd'.repeat(2000) }));
  });
  expect(message).toBe(
    "Pipeline 'bad' on SageMaker: step 'register': description has 2000 characters, but a SageMaker model package description takes at most 1024; shorten it",
  );
});

test('every problem is reported at once, each naming its step', () => {
  const p = new Pipeline('many-problems');
  p.addStep(
    Step.script('a', { code, entry, retry: RetryPolicy.of({ maxRetries: 21 }) }),
    Step.training('b', { code, entry, image: 'docker.io/library/python:3' }),
  );
  let error: PipelineValidationError | undefined;
  try {
    compileSageMaker(p, testTarget());
  } catch (e) {
    error = e as PipelineValidationError;
  }
  expect(error?.problems.map((m) => m.slice(0, 10))).toEqual(["step 'a': ", "step 'b': "]);
  expect(error?.message).toMatch(/^Pipeline 'many-problems' on SageMaker:\n {2}- step 'a': retry maxRetries 21/);
});

test('model problems come first, from the model\'s own validation, naming the pipeline', () => {
  const p = new Pipeline('broken');
  p.addStep(Step.script('x', { code, entry }), Step.script('x', { code, entry }));
  expect(() => compileSageMaker(p, testTarget())).toThrow(/^Pipeline 'broken': step name 'x' is used by two steps/);
});

import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { MlPipeline, Orchestrator } from '../../../constructs/aws';
import { Pipeline, Step } from '../../../lib/pipeline';
import { FIXTURE_CODE } from '../../conformance/features';
import { testApp } from '../../support/aws';
import { capturingConsole } from '../../support/console';

const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

function warningsOf(images: (string | undefined)[], orchestrator = Orchestrator.sageMaker()): string[] {
  const stack = new Stack(testApp(), 'S', { env: { account: '123456789012', region: 'us-east-1' } });
  const p = new Pipeline('images');
  images.forEach((image, i) => p.addStep(Step.script(`s${i}`, { code: FIXTURE_CODE, entry: 'noop.py', image })));
  new MlPipeline(stack, 'P', { pipeline: p, orchestrator });
  const { result: warnings, printed } = capturingConsole(() => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('.*')).map((w) => String(w.entry.data)));
  // Synthesis prints each warning with its acknowledgement id, as `cdk synth` shows a user.
  for (const warning of warnings) {
    expect(printed).toContain(warning.replace(/ \[ack: .*\]$/, ''));
  }
  return warnings;
}

test('an untagged or :latest step image is a synth warning on the MlPipeline, naming the step', () => {
  const warnings = warningsOf([`${ECR}/app`, `${ECR}/app:latest`, `${ECR}/app:1.4.0`, undefined]).filter((w) => w.includes('image'));
  expect(warnings).toEqual([
    `step 's0': image '${ECR}/app' has no tag, so it means ':latest', which can change between runs; pin it with a version tag (e.g. '${ECR}/app:1.2.3') or a digest ('@sha256:...') so every run uses the same image [ack: cdk-mlops:UnpinnedImage]`,
    `step 's1': image '${ECR}/app:latest' uses the ':latest' tag, which can change between runs; pin it with a version tag (e.g. '${ECR}/app:1.2.3') or a digest ('@sha256:...') so every run uses the same image [ack: cdk-mlops:UnpinnedImage]`,
  ]);
});

test('pinned images give no warning', () => {
  expect(warningsOf([`${ECR}/app:1.4.0`, `${ECR}/app@sha256:${'a'.repeat(64)}`]).filter((w) => w.includes('image'))).toEqual([]);
});

test('an unpinned orchestrator default image warns only where a step runs it; the inference default always', () => {
  const orchestrator = () => Orchestrator.sageMaker({ defaultImage: `${ECR}/base`, defaultInferenceImage: `${ECR}/serve:latest` });
  expect(warningsOf([`${ECR}/app:1.4.0`], orchestrator()).filter((w) => w.includes('image'))).toEqual([
    `Orchestrator.sageMaker option defaultInferenceImage '${ECR}/serve:latest' uses the ':latest' tag, which can change between runs; pin it with a version tag (e.g. '${ECR}/serve:1.2.3') or a digest ('@sha256:...') so every run uses the same image [ack: cdk-mlops:UnpinnedImage]`,
  ]);
  expect(warningsOf([undefined], orchestrator()).filter((w) => w.includes('image'))[0]).toBe(
    `Orchestrator.sageMaker option defaultImage '${ECR}/base' has no tag, so it means ':latest', which can change between runs; pin it with a version tag (e.g. '${ECR}/base:1.2.3') or a digest ('@sha256:...') so every run uses the same image [ack: cdk-mlops:UnpinnedImage]`);
});

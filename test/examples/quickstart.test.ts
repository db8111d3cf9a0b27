import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { capturingConsole } from '../support/console';

const ROOT = path.join(__dirname, '..', '..');
const SOURCE = path.join(ROOT, 'examples', 'quickstart', 'app.ts');

test("README's user-code example is examples/quickstart/app.ts, verbatim", () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /^## What you write\n[\s\S]*?^```ts\n([\s\S]*?)^```$/m.exec(readme);
  // On failure: paste examples/quickstart/app.ts into the README's "What you write" block.
  expect(block?.[1]).toBe(fs.readFileSync(SOURCE, 'utf8'));
});

test('the example synthesizes: a SageMaker pipeline stack and an Argo chart', () => {
  process.env.CDK_VALIDATION = 'false';
   
  const { awsApp, k8sApp } = require('../../examples/quickstart/app');
  const template = Template.fromStack(awsApp.node.findChild('Ml'));
  template.resourceCountIs('AWS::SageMaker::Pipeline', 1);
  const definition = JSON.stringify(template.findResources('AWS::SageMaker::Pipeline'));
  for (const step of ['extract', 'clean', 'train', 'evaluate', 'gate', 'register', 'too-weak']) {
    expect(definition).toContain(`\\"Name\\":\\"${step}\\"`);
  }
  const { result: manifests, printed } = capturingConsole(() => Testing.synth(k8sApp.node.findChild('ml')));
  expect(manifests.map((m: { kind: string }) => m.kind)).toEqual(expect.arrayContaining(['WorkflowTemplate', 'Deployment', 'ConfigMap']));
  // The one warning a reader of the README meets: S3 outside the cluster needs its address or 'anywhere' by name.
  expect(printed.split('\n').filter((l) => l.startsWith('[WARNING]'))).toEqual([expect.stringContaining("NetworkPolicy 'iris-steps-allow' allows no egress to the artifact store")]);
});

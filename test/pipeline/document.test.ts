import * as path from 'path';
import { compileArgo } from '../../lib/compile/argo';
import { compileSageMaker } from '../../lib/compile/sagemaker';
import { Pipeline, PipelineValidationError } from '../../lib/pipeline';
import { fromPipelineDocument, PIPELINE_DOCUMENT_VERSION, toPipelineDocument } from '../../lib/pipeline/document';
import { irisPipeline } from '../../examples/iris/pipeline';
import { FEATURES } from '../conformance/features';
import { testTarget } from '../support/aws/sagemaker-target';

const BASE = path.join(__dirname, '..', '..');
const roundTrip = (p: Pipeline) => fromPipelineDocument(JSON.parse(JSON.stringify(toPipelineDocument(p, BASE))), BASE);
const argo = (p: Pipeline) => compileArgo(p, { defaultImage: 'python:3.12-slim', codeConfigMapName: () => 'code', artifactRepositoryBucket: 'example-data' });

const CASES: [string, () => Pipeline][] = [['iris example', irisPipeline], ...FEATURES.map((f): [string, () => Pipeline] => [`feature ${f.id}`, f.build])];

test.each(CASES)('%s: loading its document back gives the same document and the same engine documents', (_name, build) => {
  const original = build();
  const loaded = roundTrip(original);
  expect(toPipelineDocument(loaded, BASE)).toEqual(toPipelineDocument(original, BASE));
  expect(compileSageMaker(loaded, testTarget())).toEqual(compileSageMaker(original, testTarget()));
  expect(argo(loaded)).toEqual(argo(original));
});

test('the document is plain, versioned JSON with code paths relative to its directory', () => {
  const doc = toPipelineDocument(irisPipeline(), BASE);
  expect(doc.version).toBe(PIPELINE_DOCUMENT_VERSION);
  expect(doc.parameters).toEqual({
    minAccuracy: { type: 'number', default: 0.9, description: 'Lowest test accuracy that gets the model registered' },
    nEstimators: { type: 'integer', default: 100, description: 'Trees in the random forest' },
  });
  const train = doc.steps.find((s) => s.name === 'train')!;
  expect(train).toMatchObject({ kind: 'training', code: { directory: 'examples/iris/steps' }, entry: 'train.py', inputs: { data: { step: 'clean', port: 'train' } }, params: { nEstimators: { parameter: 'nEstimators' } } });
  const gate = doc.steps.find((s) => s.name === 'accuracy-gate')!;
  expect(gate.when).toEqual({ compare: '>=', left: { metric: 'accuracy', step: 'evaluate' }, right: { parameter: 'minAccuracy' } });
  expect((gate.then as { name: string }[]).map((s) => s.name)).toEqual(['register']);
});

const messageOf = (doc: unknown): string => {
  try {
    fromPipelineDocument(doc, BASE, 'pipeline.json');
  } catch (e) {
    expect(e).toBeInstanceOf(PipelineValidationError);
    return (e as Error).message;
  }
  throw new Error('expected a PipelineValidationError');
};

test('a document of another version or shape is a clear error', () => {
  expect(messageOf([])).toBe(`pipeline.json: is [], not a JSON object; write { "version": "${PIPELINE_DOCUMENT_VERSION}", "name": ..., "steps": [...] }`);
  expect(messageOf({ version: 'cdk-mlops/pipeline/v9', name: 'x', steps: [] })).toBe(
    `pipeline.json: version 'cdk-mlops/pipeline/v9' is not one this cdk-mlops reads (it reads '${PIPELINE_DOCUMENT_VERSION}'); write it with the same cdk-mlops version, or upgrade cdk-mlops`);
  expect(messageOf({ version: PIPELINE_DOCUMENT_VERSION, name: 'x' })).toBe('pipeline.json: needs "name" (a string) and "steps" (an array)');
});

test('every wrong reference and kind is named with where it is', () => {
  const message = messageOf({
    version: PIPELINE_DOCUMENT_VERSION,
    name: 'bad',
    parameters: { p: { type: 'float' } },
    steps: [
      { name: 'a', kind: 'script', code: { directory: 'test/fixtures/steps' }, entry: 'noop.py', inputs: { x: { step: 'missing', port: 'o' }, y: { step: 'b', port: 'nope' } } },
      { name: 'b', kind: 'script', code: { directory: 'test/fixtures/steps' }, entry: 'noop.py', outputs: ['o'] },
      { name: 'c', kind: 'teleport' },
      { name: 'b', kind: 'fail', message: 'x' },
    ],
  });
  expect(message.split('\n').slice(1)).toEqual([
    "  - parameters.p: type 'float' is not one of string, integer, number, boolean",
    "  - steps[3]: a second step named 'b' (first at steps[1])",
    "  - steps[0].inputs.x: names step 'missing', which the document does not have (steps: a, b, c)",
    "  - steps[0].inputs.y: step 'b' has no output 'nope' (outputs: o)",
    "  - steps[2]: kind 'teleport' is not one this cdk-mlops reads (known: script, training, condition, fail, register-model, tune)",
  ]);
});

test('a step that reads its own output through another is a cycle, named', () => {
  const step = (name: string, reads: string) => ({ name, kind: 'script', code: { directory: 'test/fixtures/steps' }, entry: 'noop.py', outputs: ['o'], inputs: { i: { step: reads, port: 'o' } } });
  expect(messageOf({ version: PIPELINE_DOCUMENT_VERSION, name: 'loop', steps: [step('a', 'b'), step('b', 'a')] })).toContain("steps[1].inputs.i: step 'a' depends on itself through a -> b");
});

describe('the published JSON Schema (schemas/pipeline-document.v1.schema.json)', () => {
  const Ajv2020 = require('ajv/dist/2020').default;
  const schema = JSON.parse(require('fs').readFileSync(path.join(BASE, 'schemas', 'pipeline-document.v1.schema.json'), 'utf8'));
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

  test.each(CASES)('%s: its document is valid', (_name, build) => {
    const doc = JSON.parse(JSON.stringify(toPipelineDocument(build(), BASE)));
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
  });

  test('a misspelt field or an unknown kind is not', () => {
    const doc = JSON.parse(JSON.stringify(toPipelineDocument(irisPipeline(), BASE)));
    doc.steps[0].entyr = doc.steps[0].entry;
    expect(validate(doc)).toBe(false);
    const other = JSON.parse(JSON.stringify(toPipelineDocument(irisPipeline(), BASE)));
    other.steps[0].kind = 'teleport';
    expect(validate(other)).toBe(false);
    expect(validate({ ...other, steps: [], version: 'cdk-mlops/pipeline/v2' })).toBe(false);
  });
});

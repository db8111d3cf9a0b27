import * as path from 'path';
import { Code, Condition, Parameter, Pipeline, Step, Value } from '../../lib';
import { problemsOf } from '../support/problems';

/** Which steps a step in a condition branch may read (lib/pipeline/validate.ts). */

const code = Code.fromDirectory(path.join(__dirname, '..', 'fixtures', 'steps'));
const entry = 'noop.py';


function gated(): { p: Pipeline; go: Condition } {
  const p = new Pipeline('scopes', { parameters: { go: Parameter.boolean(true) } });
  return { p, go: Condition.eq(p.parameter('go'), Value.boolean(true)) };
}

test('a step in a nested branch reads a step of the enclosing branch', () => {
  const { p, go } = gated();
  const writer = Step.script('writer', { code, entry, outputs: ['data'] });
  const reader = Step.script('reader', { code, entry, inputs: { data: writer.output('data') }, dependsOn: [writer] });
  p.addStep(Step.condition('outer', { when: go, then: [writer, Step.condition('inner', { when: go, then: [reader] })] }));
  expect(problemsOf(p)).toEqual([]);
});

test("a step in the 'then' branch of one condition cannot read a step in the 'then' branch of another", () => {
  const { p, go } = gated();
  const writer = Step.script('writer', { code, entry, outputs: ['data'] });
  const reader = Step.script('reader', { code, entry, inputs: { data: writer.output('data') } });
  p.addStep(Step.condition('first', { when: go, then: [writer] }), Step.condition('second', { when: go, then: [reader] }));
  expect(problemsOf(p)).toEqual([
    "step 'reader': input 'data' reads step 'writer', which runs only in the 'then' branch of 'first' and may be skipped; move 'reader' into that branch or read something outside it",
  ]);
});

test('a read of a step that may be skipped is reported alone, not also checked against its outputs', () => {
  const { p, go } = gated();
  const writer = Step.script('writer', { code, entry });
  p.addStep(Step.condition('gate', { when: go, then: [writer] }), Step.script('reader', { code, entry, inputs: { data: writer.output('missing') } }));
  expect(problemsOf(p)).toEqual([
    "step 'reader': input 'data' reads step 'writer', which runs only in the 'then' branch of 'gate' and may be skipped; move 'reader' into that branch or read something outside it",
  ]);
});

test('a read of a step outside the pipeline is reported alone, not also checked against its outputs or metrics', () => {
  const p = new Pipeline('outside');
  const outside = Step.script('outside', { code, entry });
  p.addStep(
    Step.script('reader', { code, entry, inputs: { data: outside.output('missing') } }),
    Step.condition('gate', { when: Condition.gte(outside.metric('score'), Value.number(1)), then: [Step.script('ok', { code, entry })] }),
  );
  expect(problemsOf(p)).toEqual([
    "step 'reader': input 'data' reads step 'outside', which is not in the pipeline; add it with pipeline.addStep(...) or to a condition branch",
    "step 'gate': reads metric 'score' of step 'outside', which is not in the pipeline; add it with pipeline.addStep(...) or to a condition branch",
  ]);
});

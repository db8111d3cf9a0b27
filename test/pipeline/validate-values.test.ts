import * as path from 'path';
import { Code, Condition, Parameter, Pipeline, Step, Value } from '../../lib';
import { problemsOf } from '../support/problems';

/** Checks of the values a condition reads: parameters, metrics, literals (lib/pipeline/validate.ts). */

const code = Code.fromDirectory(path.join(__dirname, '..', 'fixtures', 'steps'));
const entry = 'noop.py';


function gatedBy(p: Pipeline, when: Condition, ...before: Step[]): Pipeline {
  p.addStep(...before, Step.condition('gate', { when, then: [Step.script('ok', { code, entry })] }));
  return p;
}

test('an undefined parameter is named with the parameters the pipeline defines', () => {
  const p = new Pipeline('params', { parameters: { a: Parameter.number(1), b: Parameter.number(2) } });
  expect(problemsOf(gatedBy(p, Condition.eq(p.parameter('zz'), Value.number(1))))).toEqual([
    "step 'gate': reads parameter 'zz', which the pipeline does not define (defined: 'a', 'b'); add it to the pipeline's parameters or fix the name",
  ]);
});

test('an undefined parameter in a pipeline without parameters says none are defined', () => {
  const p = new Pipeline('no-params');
  expect(problemsOf(gatedBy(p, Condition.eq(p.parameter('zz'), Value.number(1))))).toEqual([
    "step 'gate': reads parameter 'zz', which the pipeline does not define (defined: none); add it to the pipeline's parameters or fix the name",
  ]);
});

test('a metric of a step that declares no metrics says so', () => {
  const p = new Pipeline('no-metrics');
  const train = Step.script('train', { code, entry });
  expect(problemsOf(gatedBy(p, Condition.gte(train.metric('accuracy'), Value.number(0.5)), train))).toEqual([
    "step 'gate': reads metric 'accuracy' of 'train', which declares no metrics; add it to that step's metrics",
  ]);
});

test('an operand that is not a Value is named with the factories to use', () => {
  const p = new Pipeline('not-value');
  expect(problemsOf(gatedBy(p, Condition.eq('q' as unknown as Value, Value.number(1))))).toEqual([
    "step 'gate': 'q' is not a value; use Value.number(...), Value.string(...), pipeline.parameter(...) or step.metric(...)",
  ]);
});

test('literals of every type holding a matching value pass', () => {
  const p = new Pipeline('literals-ok');
  const when = Condition.and(
    Condition.eq(Value.string('a'), Value.string('b')),
    Condition.eq(Value.boolean(true), Value.boolean(false)),
    Condition.lt(Value.integer(1), Value.integer(-2)),
    Condition.gt(Value.number(0.5), Value.number(3)),
  );
  expect(problemsOf(gatedBy(p, when))).toEqual([]);
});

test('a literal whose value does not match its type is named with the factory to use', () => {
  const p = new Pipeline('literals-bad');
  const when = Condition.and(
    Condition.eq(Value.string(5 as unknown as string), Value.string('a')),
    Condition.eq(Value.boolean('x' as unknown as boolean), Value.boolean(true)),
    Condition.eq(Value.integer(1.5), Value.integer(2 ** 53)),
    Condition.eq(Value.number(NaN), Value.number('1' as unknown as number)),
  );
  expect(problemsOf(gatedBy(p, when))).toEqual([
    "step 'gate': literal 5 is not a valid string; use Value.string(...) with a matching value",
    "step 'gate': literal 'x' is not a valid boolean; use Value.boolean(...) with a matching value",
    "step 'gate': literal 1.5 is not a valid integer; use Value.integer(...) with a matching value",
    "step 'gate': literal 9007199254740992 is not a valid integer; use Value.integer(...) with a matching value",
    "step 'gate': literal NaN is not a valid number; use Value.number(...) with a matching value",
    "step 'gate': literal '1' is not a valid number; use Value.number(...) with a matching value",
  ]);
});

import * as path from 'path';
import { Code, Condition, Pipeline, PipelineValidationError, Step, Value } from '../../lib';

/** Type checks of a condition tree (lib/pipeline/validate.ts). */

const code = Code.fromDirectory(path.join(__dirname, '..', 'fixtures', 'steps'));
const entry = 'noop.py';

function problemsOf(when: Condition): string[] {
  const p = new Pipeline('conditions');
  p.addStep(Step.condition('gate', { when, then: [Step.script('ok', { code, entry })] }));
  try {
    p.validate();
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(PipelineValidationError);
    return (e as PipelineValidationError).problems;
  }
}

test('ne compares strings as eq does; ordering them is refused', () => {
  expect(problemsOf(Condition.ne(Value.string('a'), Value.string('b')))).toEqual([]);
  expect(problemsOf(Condition.lte(Value.string('a'), Value.string('b')))).toEqual([
    "step 'gate': condition '\"a\" <= \"b\"' compares \"a\" (string) with '<=', which needs numbers; compare numbers, or use Condition.eq / ne / isIn for strings",
  ]);
});

test('isIn with candidates of the tested type passes', () => {
  expect(problemsOf(Condition.isIn(Value.string('a'), [Value.string('b'), Value.string('c')]))).toEqual([]);
});

test('isIn without candidates is refused', () => {
  expect(problemsOf(Condition.isIn(Value.string('a'), []))).toEqual([
    "step 'gate': condition '\"a\" in []' has no candidates; list at least one value",
  ]);
});

test('isIn names every candidate of another type', () => {
  expect(problemsOf(Condition.isIn(Value.string('a'), [Value.number(1), Value.string('b'), Value.boolean(true)]))).toEqual([
    "step 'gate': condition '\"a\" in [1, \"b\", true]' tests \"a\" (string) against 1 (number), true (boolean); all values need the same type",
  ]);
});

test('and / or without conditions are refused, each by its name', () => {
  expect(problemsOf(Condition.and())).toEqual(["step 'gate': condition 'and' has no conditions; give at least one"]);
  expect(problemsOf(Condition.or())).toEqual(["step 'gate': condition 'or' has no conditions; give at least one"]);
});

test('problems inside and / or / not are found', () => {
  const mixed = Condition.eq(Value.string('a'), Value.number(1));
  const message = "step 'gate': condition '\"a\" == 1' compares \"a\" (string) with 1 (number); both sides need the same type (numbers compare with numbers)";
  expect(problemsOf(Condition.and(Condition.eq(Value.number(1), Value.number(1)), mixed))).toEqual([message]);
  expect(problemsOf(Condition.or(mixed))).toEqual([message]);
  expect(problemsOf(Condition.not(mixed))).toEqual([message]);
});

test('a Condition subclass of no built-in kind gets no type problems from the model', () => {
  class Always extends Condition {
    public values(): Value[] {
      return [];
    }
    public toString(): string {
      return 'always';
    }
  }
  expect(problemsOf(new Always())).toEqual([]);
});

test('an operand of and / or / not that is not a Condition is named', () => {
  // Something shaped like a Condition (it has values()) but not one, e.g. a plain object from JavaScript.
  const fake = { values: (): Value[] => [] } as unknown as Condition;
  expect(problemsOf(Condition.or(Condition.eq(Value.number(1), Value.number(1)), fake))).toEqual([
    "step 'gate': condition {} is not a Condition",
  ]);
  expect(problemsOf(Condition.not(fake))).toEqual(["step 'gate': condition not({}): not a Condition"]);
});

test('a stray operand of and / or / not is reported, not a crash', () => {
  const p = new Pipeline('stray');
  const a = Step.script('a', { code: Code.fromDirectory(path.join(__dirname, '..', 'fixtures', 'steps')), entry: 'noop.py', metrics: ['m'] });
  const ok = Condition.gt(a.metric('m'), Value.number(0));
  p.addStep(a, Step.condition('gate', { when: Condition.or(ok, 7 as never, Condition.not(8 as never)), then: [Step.fail('f', { message: 'x' })] }));
  let message = '';
  try {
    p.validate();
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toContain('is not a Condition');
  expect(message).not.toContain('TypeError');
});

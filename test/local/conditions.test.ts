import { Condition, Parameter, Pipeline, Step, Value } from '../../lib';
import { ConditionError, evaluateCondition } from '../../lib/local';
import { fixtureCode as code } from '../support/local/fixtures';

const p = new Pipeline('c', { parameters: { min: Parameter.number(0.9), env: Parameter.string('prod'), on: Parameter.boolean(true) } });
const e = Step.script('evaluate', { code, entry: 'record.sh', metrics: ['score'], stringMetrics: ['label'] });
const inputs = (metrics: { [k: string]: unknown } | undefined, parameters = { min: 0.9, env: 'prod', on: true }) => ({ parameters, metricsOf: () => metrics });

test('numbers compare with numbers', () => {
  const gte = Condition.gte(e.metric('score'), p.parameter('min'));
  expect(evaluateCondition(gte, inputs({ score: 0.9 }))).toBe(true);
  expect(evaluateCondition(gte, inputs({ score: 0.89 }))).toBe(false);
  expect(evaluateCondition(Condition.lt(e.metric('score'), Value.integer(1)), inputs({ score: 0.5 }))).toBe(true);
  expect(evaluateCondition(Condition.eq(e.metric('score'), Value.integer(1)), inputs({ score: 1.0 }))).toBe(true);
});

test('strings and booleans compare with their own kind; and / or / not / in combine', () => {
  const c = Condition.and(
    Condition.isIn(e.metric('label'), [Value.string('good'), Value.string('great')]),
    Condition.or(Condition.eq(p.parameter('env'), Value.string('dev')), Condition.not(Condition.ne(p.parameter('on'), Value.boolean(true)))),
  );
  expect(evaluateCondition(c, inputs({ label: 'great' }))).toBe(true);
  expect(evaluateCondition(c, inputs({ label: 'bad' }))).toBe(false);
  expect(evaluateCondition(c, inputs({ label: 'good' }, { min: 0.9, env: 'prod', on: false }))).toBe(false);
});

test('a missing metrics file or metric is an error naming the step and what to write', () => {
  const gt = Condition.gt(e.metric('score'), Value.number(0.5));
  expect(() => evaluateCondition(gt, inputs(undefined))).toThrow(new ConditionError(
    `needs metric 'score' of step 'evaluate', but 'evaluate' wrote no metrics file; make its script write {"score": <value>} as JSON to the file named by MLOPS_METRICS_FILE`,
  ));
  expect(() => evaluateCondition(gt, inputs({ accuracy: 1 }))).toThrow("needs metric 'score' of step 'evaluate', but its metrics file has only 'accuracy'");
});

test('values of the wrong kind at run time are errors, not silent falses', () => {
  expect(() => evaluateCondition(Condition.gt(e.metric('score'), Value.number(0.5)), inputs({ score: 'high' }))).toThrow(
    `'evaluate.score > 0.5': evaluate.score is "high" (string), but '>' compares numbers`,
  );
  expect(() => evaluateCondition(Condition.eq(e.metric('label'), Value.string('1')), inputs({ label: 1 }))).toThrow(
    `'evaluate.label == "1"': evaluate.label is 1 (number) and "1" is "1" (string); only values of the same kind compare`,
  );
  expect(() => evaluateCondition(Condition.eq(e.metric('label'), Value.string('x')), inputs({ label: [1] }))).toThrow(
    "metric 'label' of step 'evaluate' is [1], not a number or string",
  );
});

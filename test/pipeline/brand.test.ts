import * as path from 'path';
import * as lib from '../../lib';

/** A second copy of the model, as a user's module gets when it loads another install of cdk-mlops. */
function secondCopy(): typeof lib {
  let copy: typeof lib | undefined;
  jest.isolateModules(() => {
    copy = require('../../lib') as typeof lib;
  });
  expect(copy!.Pipeline).not.toBe(lib.Pipeline);
  return copy!;
}

test('objects from another copy of the package are recognised by brand, where instanceof fails', () => {
  const other = secondCopy();
  const code = other.Code.fromDirectory(path.join(__dirname, '..', 'fixtures', 'steps'));
  const fit = other.Step.training('fit', { code, entry: 'noop.py', metrics: ['score'] });
  const pipeline = new other.Pipeline('other-copy', { parameters: { min: other.Parameter.number(0.5) } });
  pipeline.addStep(fit, other.Step.condition('gate', {
    when: other.Condition.gte(fit.metric('score'), pipeline.parameter('min')),
    then: [other.Step.registerModel('register', { model: fit.model(), group: 'g' })],
  }));

  expect(pipeline instanceof lib.Pipeline).toBe(false);
  expect(lib.Pipeline.isPipeline(pipeline)).toBe(true);
  expect(lib.Step.isStep(fit)).toBe(true);
  expect(lib.ContainerStep.isContainerStep(fit)).toBe(true);
  expect(lib.Code.isCode(code)).toBe(true);
  expect(lib.DataSource.isDataSource(fit.model())).toBe(true);
  expect(lib.Value.isValue(fit.metric('score'))).toBe(true);
  expect(lib.Condition.isCondition(other.Condition.not(other.Condition.eq(other.Value.number(1), other.Value.number(2))))).toBe(true);
  expect(lib.Parameter.isParameter(pipeline.parameters.min)).toBe(true);

  // The first copy validates and orders a pipeline built entirely from the second.
  const mixed = new lib.Pipeline('mixed', { parameters: pipeline.parameters });
  mixed.addStep(...pipeline.steps);
  expect(mixed.problems()).toEqual([]);
  expect(mixed.graph().nodes.map((n) => n.step.name)).toEqual(['fit', 'gate', 'register']);
  expect(mixed.graph().node(pipeline.allSteps()[2]).upstream).toEqual([fit]);
});

test('non-model values are not mistaken for model objects', () => {
  for (const value of [undefined, null, 1, 'step', {}, { kind: 'script', name: 'x' }, []]) {
    expect(lib.Step.isStep(value)).toBe(false);
    expect(lib.Pipeline.isPipeline(value)).toBe(false);
    expect(lib.DataSource.isDataSource(value)).toBe(false);
  }
});

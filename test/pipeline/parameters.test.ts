import { Parameter, Pipeline, PipelineValidationError, ValueType } from '../../lib';

const pipeline = () => new Pipeline('params', {
  parameters: {
    minAccuracy: Parameter.number(0.9),
    epochs: Parameter.integer(10),
    region: Parameter.string('eu', { allowedValues: ['eu', 'us'] }),
    dryRun: Parameter.boolean(false),
    owner: Parameter.string(),
  },
});

test('defaults, overridden by text values read per type', () => {
  expect(pipeline().resolveParameters({ owner: 'ml-team', epochs: '20', dryRun: 'TRUE', minAccuracy: '0.95' })).toEqual({
    minAccuracy: 0.95,
    epochs: 20,
    region: 'eu',
    dryRun: true,
    owner: 'ml-team',
  });
});

test('unknown, malformed and missing parameters are all reported with a fix', () => {
  let error: PipelineValidationError | undefined;
  try {
    pipeline().resolveParameters({ epochs: '2.5', minAcc: '1', minAccuracy: 'high', region: 'asia', dryRun: 'yes' });
  } catch (e) {
    error = e as PipelineValidationError;
  }
  expect(error?.problems).toEqual([
    "parameter 'epochs': 2.5 is not an integer; give an integer, e.g. epochs=10",
    "unknown parameter 'minAcc' (defined: 'minAccuracy', 'epochs', 'region', 'dryRun', 'owner')",
    "parameter 'minAccuracy': 'high' is not a number; give a number, e.g. minAccuracy=0.9",
    "parameter 'region': 'asia' is not one of the allowed values 'eu', 'us'; give a string, e.g. region='eu'",
    "parameter 'dryRun': 'yes' is not a boolean; give a boolean, e.g. dryRun=false",
    "parameter 'owner' has no default and was not given; pass owner=<string>",
  ]);
});

test('Parameter.parse reads each type and rejects what does not fit', () => {
  expect(Parameter.number().parse(' 1e-3 ')).toBe(0.001);
  expect(Parameter.integer().parse('-4')).toBe(-4);
  expect(() => Parameter.integer().parse('')).toThrow("'' is not an integer");
  expect(() => Parameter.number().parse('NaN')).toThrow("'NaN' is not a number");
  expect(Parameter.boolean().parse('false')).toBe(false);
  expect(Parameter.string().parse(' keep spaces ')).toBe(' keep spaces ');
  expect(Parameter.string().type).toBe(ValueType.STRING);
});

test('allowedValues on a non-string parameter is a problem', () => {
  expect(Parameter.integer(1, { allowedValues: ['1'] }).problems()).toEqual([
    'allowedValues is only for string parameters, this one is integer; remove allowedValues',
  ]);
});

test('addParameter returns a reference and refuses a second definition', () => {
  const p = new Pipeline('add');
  expect(p.addParameter('seed', Parameter.integer(42)).type).toBe(ValueType.INTEGER);
  expect(() => p.addParameter('seed', Parameter.integer(1))).toThrow("Pipeline 'add': parameter 'seed' is defined twice; define each parameter once");
});

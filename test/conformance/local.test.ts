import { planLocalRun } from '../../lib/local';
import { describeConformance, FEATURES, Support, supported } from './features';

/**
 * The local runner's column. "Compiling" for local is planning the run without running it:
 * validation, parameter values, what each step runs and with which retry and cache settings.
 * test/local/features.test.ts runs every feature end to end.
 */
const column: { [featureId: string]: Support } = {
  'script-steps-and-artifacts': supported('each step a subprocess; outputs renamed into the run directory on success, passed on as MLOPS_INPUT_<NAME>'),
  'training-step-model': supported('MLOPS_MODEL_DIR in the attempt directory; later steps read it as an input directory'),
  'typed-parameters': supported('values checked against their types, passed as MLOPS_PARAM_<NAME> text'),
  'condition-metric-threshold': supported('evaluated in the runner on the metrics file the step wrote; the other branch is skipped'),
  'condition-logic': supported('and/or/not/in/!= evaluated on real values: numbers with numbers, strings with strings'),
  'nested-condition': supported('a step runs only when every enclosing condition chose its branch'),
  'register-model': supported('copied to <registry>/<group>/<version>/ with metadata.json (run, step, approval, metrics)'),
  'fail-step': supported('ends the run as failed with its message; running steps finish, nothing new starts'),
  'depends-on': supported('waits for the named steps'),
  'retry-backoff': supported('the runner retries a failed attempt after intervalSeconds * backoffRate^(n-1)'),
  'cache': supported('keyed on step definition, code content, input content and params read; shared between runs'),
  'cache-expiry': supported('entries older than expireAfterHours are misses and get replaced'),
  'resources': supported('not enforced: steps share this machine; requests beyond its CPUs or memory are warned about'),
  'gpu': supported('not assigned: the step sees the GPUs of this machine; the plan warns'),
  'fan-out': supported('one subprocess per item with MLOPS_ITEM, in parallel up to --max-parallel'),
  'timeout': supported('the step process group is stopped (SIGTERM, then SIGKILL) after timeoutSeconds'),
  'env-and-arguments': supported('env merged over the inherited environment; arguments passed to the script'),
};

describeConformance('local', column, (pipeline) => planLocalRun(pipeline));

test('the plan warns about what a local run cannot honour', () => {
  const gpu = FEATURES.find((f) => f.id === 'gpu')!.build();
  expect(planLocalRun(gpu).warnings).toContainEqual(expect.stringMatching(/^step 'fit' asks for 1 GPU\(s\); the local runner does not assign GPUs/));
});

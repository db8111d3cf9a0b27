import { Column, partly, supported, unsupported } from '../features';

/** The local runner column of the support table. */
export const LOCAL_COLUMN: Column = {
  'script-steps-and-artifacts': supported('each step a subprocess; outputs renamed into the run directory on success, passed on as MLOPS_INPUT_<NAME>'),
  'training-step-model': supported('MLOPS_MODEL_DIR in the attempt directory; later steps read it as an input directory'),
  'typed-parameters': supported('values checked against their types, passed as MLOPS_PARAM_<NAME> text'),
  'condition-metric-threshold': supported('evaluated in the runner on the metrics file the step wrote; the other branch is skipped'),
  'condition-logic': supported('and/or/not/in/!= evaluated on real values: numbers with numbers, strings with strings'),
  'nested-condition': supported('a step runs only when every enclosing condition chose its branch'),
  'register-model': supported('copied to <registry>/<group>/<version>/ with metadata.json (run, step, approval, metrics)'),
  'servable-model': supported('the files copied to <version>/code/; `mlops serve <group> --local` serves them on 127.0.0.1'),
  'fail-step': supported('ends the run as failed with its message; running steps finish, nothing new starts'),
  'depends-on': supported('waits for the named steps'),
  'retry-backoff': supported('the runner retries a failed attempt after intervalSeconds * backoffRate^(n-1)'),
  'cache': supported('keyed on step definition, code content, input content and params read; shared between runs'),
  'cache-expiry': supported('entries older than expireAfterHours are misses and get replaced'),
  'resources': partly('not enforced: steps share this machine; requests beyond its CPUs or memory are warned about'),
  'gpu': partly('not assigned: the step sees the GPUs of this machine; the plan warns'),
  'fan-out': supported('one subprocess per item with MLOPS_ITEM, in parallel up to --max-parallel'),
  'collected-outputs': supported("the reader's input directory holds a directory per item, named by the item, with hard links (or copies) of that item's output; its cache key covers every item's content"),
  'collected-metrics': supported("the reader's input directory holds <item>/metrics.json for every item"),
  'training-fan-out': supported("one training subprocess per item, each with its own model directory; collect('model') gives the reader <item>/ with each model"),
  'external-data': unsupported(
    'the local runner reads local paths only (an absolute path or file:// URI, read in place with its content in the cache key); an s3:// URI is refused when the run is planned',
    /step 'read': input 'raw' reads s3:\/\/example-data\/iris\/, which is not on this machine: the local runner reads local paths only/,
  ),
  'timeout': supported('the step process group is stopped (SIGTERM, then SIGKILL) after timeoutSeconds'),
  'env-and-arguments': supported('env merged over the inherited environment; arguments passed to the script'),
  'tuning': supported("random (seeded when asked) and grid searches: each trial a subprocess of the trial's script with MLOPS_PARAM_<NAME>, min(parallelTrials, --max-parallel) at once, in steps/<step>/trials/<n>/; the best model, parameters.json and objective are the step's result; bayesian is refused when planned; never cached"),
  'feature-snapshots': supported("the local store (--feature-store, $MLOPS_FEATURE_STORE or .mlops/feature-store) replaces the s3:// store: the commit step writes the next version there (a lock file keeps commits one at a time), the reader gets only the version named, resolved when it starts; a named version never committed is refused when the run is planned"),
};

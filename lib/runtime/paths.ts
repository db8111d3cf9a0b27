import * as path from 'path';

/** The Python launcher every engine ships next to a step's code (see launcher.py's docstring). */
export const LAUNCHER_PATH = path.join(__dirname, 'launcher.py');

/** The launcher's name when it sits beside user code instead of inside an archive. */
export const LAUNCHER_FILE_NAME = '_mlops_launcher.py';

/** The local model server behind `mlops serve --local` (SageMaker's scikit-learn serving contract). */
export const SERVE_PATH = path.join(__dirname, 'serve.py');

/** The endpoint hand-off: patches a Kubernetes endpoint with a newly registered model (see its docstring). */
export const HAND_OFF_PATH = path.join(__dirname, 'hand_off.py');

/** A Katib trial's wrapper: fetches the tuning step's inputs, runs the launcher, hands back the model (see its docstring). */
export const KATIB_TRIAL_PATH = path.join(__dirname, 'katib_trial.py');

/** A tuning step on Kubernetes: creates the Katib Experiment, serves its trials, writes the best trial's outputs (see its docstring). */
export const KATIB_TUNE_PATH = path.join(__dirname, 'katib_tune.py');

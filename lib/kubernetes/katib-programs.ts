import * as fs from 'fs';
import { KATIB_TRIAL_PATH, KATIB_TUNE_PATH } from '../runtime/paths';

let trialProgram: string | undefined;
let tuneProgram: string | undefined;

/** The trial wrapper (lib/runtime/katib_trial.py), run in each trial pod as `python3 -c "$MLOPS_TRIAL_PROGRAM"`. */
export function katibTrialProgram(): string {
  trialProgram ??= fs.readFileSync(KATIB_TRIAL_PATH, 'utf8');
  return trialProgram;
}

/** The awaiting step's program (lib/runtime/katib_tune.py), run as `python3 -c <it> <args>`. */
export function katibTuneProgram(): string {
  tuneProgram ??= fs.readFileSync(KATIB_TUNE_PATH, 'utf8');
  return tuneProgram;
}

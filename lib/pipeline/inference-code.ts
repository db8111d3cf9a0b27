import { isA } from './brand';
import { Code } from './code';
import { show } from './errors';
import { processTextProblem } from './rules';

/**
 * The code that serves a registered model: a Python script with the functions of the SageMaker
 * scikit-learn serving contract. `model_fn(model_dir)` loads the model (required);
 * `input_fn(body, content_type)`, `predict_fn(data, model)` and `output_fn(prediction, accept)`
 * are optional (the defaults decode CSV/JSON/NPY, call `model.predict` and encode as asked). The
 * same script serves on a SageMaker endpoint (`SAGEMAKER_PROGRAM`) and behind `mlops serve --local`.
 */
export interface InferenceCode {
  /** The directory holding the script and what it imports. */
  readonly code: Code;
  /** The script, relative to the directory, e.g. 'inference.py'. */
  readonly entry: string;
  /** Environment variables the model server gets (names starting with SAGEMAKER_ or MLOPS_ are reserved). */
  readonly env?: { [name: string]: string };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED_ENV = /^(SAGEMAKER_|MLOPS_)/i;

/** Problems of a register step's `inference`, each without the step's name. */
export function inferenceCodeProblems(inference: InferenceCode): string[] {
  if (inference === null || typeof inference !== 'object') {
    return [`inference is ${show(inference)}; pass { code: Code.fromDirectory('serving'), entry: 'inference.py' }`];
  }
  if (!isA(inference.code, Code)) {
    return [`inference.code is ${show(inference.code)}, not a Code; use Code.fromDirectory('<dir holding ${show(inference.entry)}>')`];
  }
  const problems: string[] = [];
  if (typeof inference.entry !== 'string' || !inference.entry.endsWith('.py')) {
    problems.push(`inference.entry is ${show(inference.entry)}, but model servers import a Python module: give a '.py' script that defines model_fn(model_dir), e.g. 'inference.py'`);
  } else if (inference.entry.includes('/') || inference.entry.includes('\\')) {
    problems.push(`inference.entry ${show(inference.entry)} is in a subdirectory, but SageMaker's serving containers import SAGEMAKER_PROGRAM from the top of the code directory; make the directory holding it the inference code, e.g. Code.fromDirectory('${inference.entry.split(/[\\/]/).slice(0, -1).join('/')}')`);
  } else {
    problems.push(...inference.code.problemsWithEntry(inference.entry).map((p) => `inference ${p}`));
  }
  for (const [name, value] of Object.entries(inference.env ?? {})) {
    if (!ENV_NAME.test(name) || RESERVED_ENV.test(name)) {
      problems.push(`inference.env name ${show(name)} is invalid (allowed: letters, digits and '_', not starting with a digit; SAGEMAKER_ and MLOPS_ are set by the engines); rename it`);
    }
    const problem = processTextProblem(`inference.env ${name} value`, value);
    if (problem) {
      problems.push(problem);
    }
  }
  return problems;
}

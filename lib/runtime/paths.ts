import * as path from 'path';

/** The Python launcher every engine ships next to a step's code (see launcher.py's docstring). */
export const LAUNCHER_PATH = path.join(__dirname, 'launcher.py');

/** The launcher's name when it sits beside user code instead of inside an archive. */
export const LAUNCHER_FILE_NAME = '_mlops_launcher.py';

/** The local model server behind `mlops serve --local` (SageMaker's scikit-learn serving contract). */
export const SERVE_PATH = path.join(__dirname, 'serve.py');

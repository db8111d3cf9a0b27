import * as path from 'path';

/** The Python launcher every engine ships next to a step's code (see launcher.py's docstring). */
export const LAUNCHER_PATH = path.join(__dirname, 'launcher.py');

/** The launcher's name when it sits beside user code instead of inside an archive. */
export const LAUNCHER_FILE_NAME = '_mlops_launcher.py';

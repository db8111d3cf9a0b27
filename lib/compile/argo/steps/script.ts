import { outputPath } from '../paths';
import { containerStepHandler } from './container';

/** Script steps: each output port is a directory under /mlops/work/outputs, an output artifact of its name. */
export const SCRIPT_STEP = containerStepHandler((port) => outputPath(port));

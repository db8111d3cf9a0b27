import { ArtifactType } from '../../../pipeline/artifacts';
import { MODEL_DIR, outputPath } from '../paths';
import { containerStepHandler } from './container';

/**
 * Training steps: the model port is /mlops/work/model (MLOPS_MODEL_DIR), the output artifact
 * 'model'. With forEach, each item trains once; a later step collects the models.
 */
export const TRAINING_STEP = containerStepHandler((port, type) => (type === ArtifactType.MODEL ? MODEL_DIR : outputPath(port)));

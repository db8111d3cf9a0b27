/**
 * Registers `count` versions of a model from one process: `node --import tsx register-many.ts
 * <registry> <model-dir> <count> <run-id>`. The registry test starts several at once.
 */
import { LocalModelRegistry } from '../../../lib/local';

const [registryDir, modelDir, count, runId] = process.argv.slice(2);
const registry = new LocalModelRegistry(registryDir);
for (let i = 0; i < Number(count); i++) {
  registry.register(modelDir, {
    group: 'shared',
    pipeline: 'p',
    sourceRun: runId,
    registeredBy: `register-${i}`,
    sourceStep: 'train',
    approvalStatus: 'Approved',
    metrics: {},
    contentTypes: ['text/csv'],
    responseTypes: ['text/csv'],
  });
}

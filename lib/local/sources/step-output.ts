import * as path from 'path';
import { DataSource, StepArtifact } from '../../pipeline/artifacts';
import { isA } from '../../pipeline/brand';
import { directoryFingerprint } from '../fingerprint';
import { LocalSourceResolver, PlannedSource, SourcePlanContext } from './resolver';

/** An output port of a step that runs once: its directory in the producer's result, read in place. */
export const STEP_OUTPUT_SOURCE: LocalSourceResolver = {
  plan(source: DataSource, context: SourcePlanContext): PlannedSource | undefined {
    if (!isA(source, StepArtifact)) {
      context.problem(`input '${context.input}' reads ${source}, which says it is a step output but is not a StepArtifact; read a step's output(...) or model()`);
      return undefined;
    }
    const producer = source.step;
    const port = source.name;
    const at = context.portPath(producer, port, source.type);
    if (at === undefined) {
      if (context.hasHandler(producer)) {
        context.problem(`input '${context.input}' reads ${source}, which is not a directory the local runner keeps (a '${producer.kind}' step writes none under '${port}'); read a script output or a training step's model`);
      }
      return undefined;
    }
    const name = producer.name;
    return {
      directory: (run) => path.join(run.resultDir(name), ...at.split('/')),
      // Computed once and kept in the producer's record, so every reader (and a resume) shares it.
      fingerprint: (run) => {
        const record = run.record(name);
        record.fingerprints ??= {};
        record.fingerprints[at] ??= directoryFingerprint(path.join(run.resultDir(name), ...at.split('/')));
        return record.fingerprints[at];
      },
    };
  },
};

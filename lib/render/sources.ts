import { CollectedArtifact, DataSource, DataSourceKind, ExternalData, StepArtifact } from '../pipeline/artifacts';
import { isA } from '../pipeline/brand';
import { FEATURE_SNAPSHOT_KIND, FeatureSnapshot } from '../pipeline/feature-snapshot';
import { HandlerTable } from '../pipeline/handlers';
import { Step } from '../pipeline/step';

/** Where an input's data comes from in a diagram: a step's node, or a data node of its own. */
export type DrawnSource =
  | { readonly producer: Step; readonly label: string }
  | { readonly data: { readonly uri: string; readonly type: string }; readonly label: string };

/**
 * How the diagrams draw one kind of data source read by input `input`. RENDER_SOURCES maps each
 * kind to its handler; a kind without one is the standard synth-time error.
 */
export interface RenderSourceHandler {
  /** How the source is drawn, or undefined after reporting why it cannot be (worded after "step 'x': "). */
  draw(source: DataSource, input: string, problem: (message: string) => void): DrawnSource | undefined;
}

export const RENDER_SOURCES: HandlerTable<RenderSourceHandler> = {
  /** An edge from the producer, labelled with the port. */
  [DataSourceKind.STEP_OUTPUT]: {
    draw: (source, input, problem) => {
      if (!isA(source, StepArtifact)) {
        problem(`input '${input}' reads ${source}, which says it is a step output but is not a StepArtifact; read a step's output(...) or model()`);
        return undefined;
      }
      return { producer: source.step, label: source.name };
    },
  },
  /** An edge from the forEach step, labelled 'collect <port>'. */
  [DataSourceKind.COLLECTED_OUTPUT]: {
    draw: (source, input, problem) => {
      if (!isA(source, CollectedArtifact)) {
        problem(`input '${input}' reads ${source}, which says it is a collection but is not a CollectedArtifact; use forEachStep.collect(port) or .collectMetrics()`);
        return undefined;
      }
      return { producer: source.step, label: `collect ${source.name}` };
    },
  },
  /** A data node holding the URI, with an edge labelled with the input's name. */
  [DataSourceKind.URI]: {
    draw: (source, input, problem) => {
      if (!isA(source, ExternalData)) {
        problem(`input '${input}' reads ${source}, which says it is a URI but is not DataSource.fromUri(...); use DataSource.fromUri(uri)`);
        return undefined;
      }
      return { data: { uri: source.uri, type: source.type }, label: input };
    },
  },
  /** A data node naming the table and version (the store differs per engine), with an edge labelled with the input. */
  [FEATURE_SNAPSHOT_KIND]: {
    draw: (source, input, problem) => {
      if (!isA(source, FeatureSnapshot)) {
        problem(`input '${input}' reads ${source}, which says it is a feature snapshot but is not FeatureSnapshot.read(...); use FeatureSnapshot.read(table, { version })`);
        return undefined;
      }
      return { data: { uri: `${source}`, type: 'feature snapshot' }, label: input };
    },
  },
};

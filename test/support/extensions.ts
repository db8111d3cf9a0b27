import { ArtifactType, ContainerStep, ContainerStepProps, DataSource } from '../../lib/pipeline';

/**
 * What another package adds to the model through its extension points: a container step of a kind
 * no engine has a handler for, and a data source of a kind no engine resolves. Every engine must
 * refuse both at synth time with the standard message.
 */
export class TuningStep extends ContainerStep {
  public readonly kind: string = 'tuning';

  constructor(name: string, props: ContainerStepProps) {
    super(name, props);
  }
}

/** A data source kind of another package ('vector-index'), shown as `features@v3`. */
export class VectorIndexSource extends DataSource {
  public readonly sourceKind: string = 'vector-index';
  public readonly producer = undefined;
  public readonly type = ArtifactType.DATASET;

  public toString(): string {
    return 'features@v3';
  }
}

import { IConstruct } from 'constructs';

const WARNING = 'cdk-mlops:warning';

/**
 * Synth-time warnings of the Kubernetes constructs. cdk8s has no warning channel of its own, so a
 * warning is recorded as construct metadata (type `cdk-mlops:warning`, read with
 * `SynthWarnings.of(scope)`) and printed once to stderr with the construct's path.
 */
export class SynthWarnings {
  /** The warnings recorded on `scope` and every construct under it, each prefixed with its path. */
  public static of(scope: IConstruct): string[] {
    return scope.node.findAll().flatMap((c) => c.node.metadata
      .filter((m) => m.type === WARNING)
      .map((m) => `[${c.node.path}] ${m.data}`));
  }

  /** Records and prints a warning on `scope`, once per distinct message. */
  public static add(scope: IConstruct, message: string): void {
    if (scope.node.metadata.some((m) => m.type === WARNING && m.data === message)) {
      return;
    }
    scope.node.addMetadata(WARNING, message);
    console.warn(`[WARNING] [${scope.node.path}] ${message}`);
  }
}

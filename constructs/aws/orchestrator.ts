import { brand, isA } from '../../lib/pipeline/brand';
import { OrchestratorKind, OrchestratorRenderer } from './orchestrators/renderer';
import { SageMakerRenderer } from './orchestrators/sagemaker';
import { SageMakerOrchestratorOptions } from './orchestrators/sagemaker-options';

export * from './orchestrators/orchestrator-kind';
export * from './orchestrators/sagemaker-options';

/**
 * Which engine runs the pipeline on AWS. Create one with a static factory:
 * `Orchestrator.sageMaker()` (SageMaker Pipelines). Each factory wraps a renderer that creates
 * the engine's resources for an MlPipeline, so another engine (Amazon MWAA) is another factory
 * and renderer, not an edit of MlPipeline.
 */
export class Orchestrator {
  /** True for an Orchestrator from any copy of cdk-mlops (a brand, not instanceof). */
  public static isOrchestrator(x: unknown): x is Orchestrator {
    return isA(x, Orchestrator);
  }

  /** SageMaker Pipelines: script steps become processing jobs, training steps training jobs. */
  public static sageMaker(options: SageMakerOrchestratorOptions = {}): Orchestrator {
    return new Orchestrator(new SageMakerRenderer({ ...options }));
  }

  public readonly kind: OrchestratorKind;

  private constructor(
    /** @internal */
    public readonly _renderer: OrchestratorRenderer,
  ) {
    this.kind = _renderer.kind;
  }
}

brand(Orchestrator, 'cdk-mlops.aws.Orchestrator');

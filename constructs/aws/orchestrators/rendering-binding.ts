import * as iam from 'aws-cdk-lib/aws-iam';
import { isA } from '../../../lib/pipeline/brand';
import { PipelineValidationError } from '../../../lib/pipeline/errors';
import { CodeAssets } from '../code-assets';

/**
 * What every orchestrator binding does the same way: render its resources once at synth (a model
 * problem becomes a validation message with the construct's path), and grant readers of the
 * registered models the inference code tarballs, before or after that rendering.
 */
export abstract class RenderingBinding<Rendered> {
  protected rendered?: Rendered;
  private problems?: string[];
  private readonly servingReaders: iam.IGrantable[] = [];

  protected constructor(protected readonly code: CodeAssets) {}

  public grantReadServingCode(grantee: iam.IGrantable): void {
    this.servingReaders.push(grantee);
    if (this.rendered) {
      this.grantServing([grantee]);
    }
  }

  public render(): string[] {
    if (this.problems === undefined) {
      try {
        this.rendered = this.renderResources();
        this.problems = [];
        this.grantServing(this.servingReaders);
      } catch (e) {
        if (!isA(e, PipelineValidationError)) {
          throw e;
        }
        this.problems = [e.message];
      }
    }
    return this.problems;
  }

  /** Creates the engine's resources from the pipeline as it is at synth time. */
  protected abstract renderResources(): Rendered;

  /** s3:GetObject on each inference code tarball itself (Asset.grantRead would open the whole asset bucket). */
  private grantServing(grantees: iam.IGrantable[]): void {
    const objects = this.code.servingAssets.map((asset) => asset.bucket.arnForObjects(asset.s3ObjectKey));
    if (objects.length > 0) {
      grantees.forEach((grantee) => iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: objects }));
    }
  }
}

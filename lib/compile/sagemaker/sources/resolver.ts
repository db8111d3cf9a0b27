import type { DataSource } from '../../../pipeline/artifacts';
import type { Step } from '../../../pipeline/step';
import type { SageMakerCompilation } from '../compile';
import type { StringValue } from '../definition';

/** One S3 location an input reads. */
export interface SourcePart {
  /** The forEach item this part belongs to (collected sources). */
  readonly item?: string;
  /** The S3 URI (or an expression that gives one at run time). */
  readonly uri: StringValue;
  /** True when the URI is a tarball the launcher unpacks (a training job's model.tar.gz or output.tar.gz). */
  readonly tarball: boolean;
}

/** Where an input's data is: one part, or one per item of a fan-out. */
export interface ResolvedSource {
  /** True for a collected source: the reader lays out one directory per part, named by its item. */
  readonly collected: boolean;
  readonly parts: SourcePart[];
  /** The step that writes the data, when one does (for messages). */
  readonly producer?: Step;
}

/**
 * How SageMaker reads one kind of data source. Each consumer (a processing input, training channels,
 * a model package's ModelDataUrl) lays the resolved parts out in its own way.
 */
export interface SageMakerSourceResolver {
  /** The source's S3 locations, or undefined after adding a problem. */
  resolve(c: SageMakerCompilation, reader: Step, input: string, source: DataSource): ResolvedSource | undefined;
}

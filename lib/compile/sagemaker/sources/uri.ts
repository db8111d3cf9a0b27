import { ArtifactType, DataSource, ExternalData } from '../../../pipeline/artifacts';
import { isA } from '../../../pipeline/brand';
import { show } from '../../../pipeline/errors';
import { Step } from '../../../pipeline/step';
import type { SageMakerCompilation } from '../compile';
import { ResolvedSource, SageMakerSourceResolver } from './resolver';

/**
 * Data that exists before the run. SageMaker jobs read S3 only: an s3:// URI is used as given (an
 * S3 prefix; a model's is unpacked by the launcher when it is a tarball), any other scheme is a
 * synth-time error.
 */
export const URI_SOURCE: SageMakerSourceResolver = {
  resolve(c: SageMakerCompilation, reader: Step, input: string, source: DataSource): ResolvedSource | undefined {
    if (!isA(source, ExternalData)) {
      c.problem(reader, `input '${input}' reads ${source}, of kind '${source.sourceKind}' but not data at a URI (ExternalData); SageMaker reads this kind only from DataSource.fromUri(...)`);
      return undefined;
    }
    if (source.scheme !== 's3') {
      c.problem(reader, `input '${input}' reads ${show(source.uri)}, but SageMaker reads only s3:// URIs; copy the data to S3 and read its URI, e.g. DataSource.fromUri('s3://my-bucket/data/')`);
      return undefined;
    }
    return { collected: false, parts: [{ uri: source.uri, tarball: source.type === ArtifactType.MODEL }] };
  },
};

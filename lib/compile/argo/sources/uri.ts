import { DataSource, ExternalData } from '../../../pipeline/artifacts';
import { isA } from '../../../pipeline/brand';
import { show } from '../../../pipeline/errors';
import { Step } from '../../../pipeline/step';
import { braceProblem, ENGINE } from '../checks';
import type { ArgoCompilation } from '../compilation';
import { inputPath } from '../paths';
import { ArgoInput, ArgoSourceResolver } from './resolver';

/**
 * Data at an `s3://` URI in the artifact repository's bucket, as a key-only input artifact: Argo
 * fills in the repository's endpoint, bucket and credentials (a key-only artifact takes the whole
 * location of the repository, its bucket included), so no new credentials are needed. A URI in
 * another bucket would silently be read from the repository's bucket, or need credentials the
 * workflow does not have: it is a problem. A URI ending in '/' is a prefix, downloaded as the input
 * directory; any other is put inside the input directory under its last path segment (a single
 * object as a file, a prefix as a directory).
 */
export const URI_SOURCE: ArgoSourceResolver = {
  resolve(c: ArgoCompilation, step: Step, input: string, source: DataSource): ArgoInput | undefined {
    const at = `step '${step.name}': input '${input}'`;
    if (!isA(source, ExternalData)) {
      c.problems.push(`${at} reads ${source}, of kind '${source.sourceKind}' but not external data (ExternalData); ${ENGINE} reads this kind only from DataSource.fromUri(...)`);
      return undefined;
    }
    const bucket = c.options.artifactRepositoryBucket;
    if (source.scheme !== 's3') {
      c.problems.push(`${at} reads ${source} (scheme '${source.scheme}'), but ${ENGINE} reads data from before the run only from s3:// URIs in its artifact repository's bucket; copy the data there and give its URI, e.g. 's3://${bucket ?? 'my-argo-artifacts'}/data/'`);
      return undefined;
    }
    const [, uriBucket, key] = /^s3:\/\/([^/]+)\/?(.*)$/.exec(source.uri) ?? [];
    if (bucket === undefined || uriBucket !== bucket) {
      const given = bucket === undefined ? 'the engine names no artifactRepositoryBucket' : `the artifact repository's bucket is ${show(bucket)}`;
      c.problems.push(`${at} reads ${source}, in bucket ${show(uriBucket)}, but ${given}; ${ENGINE} reads S3 with the artifact repository's location and credentials only, so copy the data into the repository's bucket and set artifactRepositoryBucket to it, or read the data in a step that has its own credentials`);
      return undefined;
    }
    const trimmed = key.replace(/\/+$/, '');
    if (trimmed === '') {
      c.problems.push(`${at} reads ${source}, the whole bucket, which is also the artifact repository of every run; give the prefix of the data, e.g. 's3://${bucket}/data/'`);
      return undefined;
    }
    const problems = braceProblem(`${at}: URI`, source.uri);
    if (problems.length > 0) {
      c.problems.push(...problems);
      return undefined;
    }
    const path = key.endsWith('/') ? inputPath(input) : `${inputPath(input)}/${trimmed.slice(trimmed.lastIndexOf('/') + 1)}`;
    return { artifact: { name: input, path, s3: { key: trimmed } } };
  },
};

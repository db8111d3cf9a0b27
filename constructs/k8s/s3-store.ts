import { show } from '../../lib/pipeline/errors';
import { SecretKeyRef } from './artifact-repository';
import { secretRefProblems } from './secret-ref';
import { NetworkEndpoint } from './network';

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ENDPOINT = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

/** What an S3 (or S3-compatible) store a pod reads with keys from Secrets is given. */
export interface S3StoreShape {
  readonly bucket: string;
  readonly prefix?: string;
  readonly accessKeySecret: SecretKeyRef;
  readonly secretKeySecret: SecretKeyRef;
  readonly endpoint?: string;
  readonly insecure?: boolean;
  readonly network: NetworkEndpoint;
}

/**
 * The problems of an S3 store's props, each starting with `prop` ('offline', 'artifactStore');
 * `secretName` and `examplePrefix` make the examples in the messages fit the construct.
 */
export function s3StoreProblems(prop: string, s3: S3StoreShape, secretName: string, examplePrefix: string): string[] {
  const problems: string[] = [];
  if (typeof s3.bucket !== 'string' || !BUCKET.test(s3.bucket)) {
    problems.push(`${prop}: bucket ${show(s3.bucket)} is not an S3 bucket name (allowed: 3-63 lowercase letters, digits, '.' and '-'); give the bucket's name, not its URL`);
  }
  if (s3.prefix !== undefined && (typeof s3.prefix !== 'string' || s3.prefix.startsWith('/') || s3.prefix.includes('//'))) {
    problems.push(`${prop}: prefix ${show(s3.prefix)} is invalid (it must not start with '/' or hold '//'); e.g. '${examplePrefix}'`);
  }
  problems.push(...secretRefProblems(s3.accessKeySecret, `${prop}.accessKeySecret`, `{ name: '${secretName}', key: 'AWS_ACCESS_KEY_ID' }`));
  problems.push(...secretRefProblems(s3.secretKeySecret, `${prop}.secretKeySecret`, `{ name: '${secretName}', key: 'AWS_SECRET_ACCESS_KEY' }`));
  if (s3.endpoint !== undefined && !(typeof s3.endpoint === 'string' && ENDPOINT.test(s3.endpoint))) {
    problems.push(`${prop}: endpoint ${show(s3.endpoint)} is invalid (allowed: host[:port], no scheme or path, as for ArtifactRepository.s3); e.g. 'minio.storage:9000' with insecure: true for plain HTTP`);
  }
  if (!(s3.network instanceof Object) || typeof (s3.network as NetworkEndpoint)._peers !== 'function') {
    problems.push(`${prop}: network is ${show(s3.network)}; say where the object store is, e.g. NetworkEndpoint.pods({ namespace: 'storage', podLabels: { app: 'minio' }, ports: [9000] })`);
  }
  return problems;
}

/** The endpoint as the URL boto (and Feast) take, for an S3-compatible store. */
export function s3EndpointUrl(s3: S3StoreShape | undefined): string | undefined {
  return s3?.endpoint !== undefined ? `${s3.insecure ? 'http' : 'https'}://${s3.endpoint}` : undefined;
}

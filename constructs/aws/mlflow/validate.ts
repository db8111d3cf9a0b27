import { Token } from 'aws-cdk-lib';
import { show } from '../../../lib/pipeline/errors';
import { MlflowTrackingServerProps, MlflowTrackingServerSize } from './props';

/** The limits of CreateMlflowTrackingServer (botocore's sagemaker model; the CloudFormation schema agrees). */
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/;
const NAME_MAX = 256;
/** CloudFormation's pattern is ^\d+(\.\d+)+$ (32 chars), the API's 16 chars: the stricter of both, and at most three parts. */
const VERSION = /^\d+\.\d+(\.\d+)?$/;
const VERSION_MAX = 16;
const WINDOW = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01]\d|2[0-3]):([0-5]\d)$/;
const SIZES = Object.values(MlflowTrackingServerSize) as string[];

function known(value: unknown): boolean {
  return value !== undefined && !(typeof value === 'string' && Token.isUnresolved(value));
}

/** Every problem of the props, each naming the value, what is allowed and the fix. */
export function trackingServerProblems(props: MlflowTrackingServerProps): string[] {
  const problems: string[] = [];
  const name = props.trackingServerName;
  if (known(name) && !(typeof name === 'string' && NAME.test(name) && name.length <= NAME_MAX)) {
    const fixed = String(name).replace(/[^a-zA-Z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64).replace(/-+$/, '') || 'mlflow';
    problems.push(`trackingServerName ${show(name)} is invalid (allowed: letters, digits and '-', starting and ending with a letter or digit, at most ${NAME_MAX} chars); rename it, e.g. '${fixed}'`);
  }
  if (props.size !== undefined && !SIZES.includes(props.size as string)) {
    problems.push(`size ${show(props.size)} is not a tracking server size (allowed: MlflowTrackingServerSize.SMALL, MEDIUM or LARGE: ${SIZES.map((s) => `'${s}'`).join(', ')})`);
  }
  const version = props.mlflowVersion;
  if (known(version) && !(typeof version === 'string' && VERSION.test(version) && version.length <= VERSION_MAX)) {
    problems.push(`mlflowVersion ${show(version)} is invalid (allowed: major.minor or major.minor.patch in digits, at most ${VERSION_MAX} chars); give a version SageMaker offers, e.g. '3.0' or '2.16'`);
  }
  const window = props.weeklyMaintenanceWindowStart;
  if (known(window) && !(typeof window === 'string' && WINDOW.test(window))) {
    problems.push(`weeklyMaintenanceWindowStart ${show(window)} is invalid (allowed: '<Day>:<HH>:<MM>' in UTC, the day as Mon, Tue, Wed, Thu, Fri, Sat or Sun with that capitalization, the time 00:00-23:59); e.g. 'Tue:03:30'`);
  }
  const prefix = props.artifactPrefix;
  if (known(prefix) && !(typeof prefix === 'string' && prefix.length > 0 && !prefix.startsWith('/') && !prefix.endsWith('/') && !prefix.includes('//'))) {
    problems.push(`artifactPrefix ${show(prefix)} is invalid (it must be non-empty, not start or end with '/' and not hold '//'); e.g. 'mlflow'`);
  }
  if (props.automaticModelRegistration !== undefined && typeof props.automaticModelRegistration !== 'boolean') {
    problems.push(`automaticModelRegistration is ${show(props.automaticModelRegistration)}; give true or false`);
  }
  if (props.encryptionKey !== undefined && props.artifactBucket !== undefined) {
    problems.push('encryptionKey is given with artifactBucket, but it only encrypts a bucket the construct creates; encrypt your bucket with the key yourself and drop encryptionKey, or drop artifactBucket');
  }
  return problems;
}

import { CliError } from '../errors';
import { ServiceCallError } from './service';

interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly requestId?: string };
}

/**
 * Turns a failed SageMaker call into a message that says what happened and what to do. The
 * service's own words are always quoted, so nothing is hidden behind the explanation.
 */
export function explainServiceError(error: unknown, subject: { pipeline?: string; execution?: string } = {}): CliError {
  if (!(error instanceof ServiceCallError)) {
    return new CliError((error as Error)?.message ?? String(error), undefined, 1);
  }
  const cause = (error.sdkError ?? {}) as SdkError;
  const said = `${cause.name ?? 'Error'}: ${firstLine(cause.message)}`;
  const status = cause.$metadata?.httpStatusCode;
  const where = `${error.region ? `region ${error.region}` : 'the default region'}${error.endpoint ? ` at ${error.endpoint}` : ''}`;
  const op = error.operation;
  const text = `${cause.name ?? ''} ${cause.message ?? ''}`;

  if (/Region is missing/i.test(text)) {
    return new CliError(`${op}: no AWS region is configured`, 'pass --region (e.g. --region eu-west-1) or set AWS_REGION', 1);
  }
  if (cause.name === 'CredentialsProviderError' || /Could not load credentials|credential/i.test(cause.name ?? '')) {
    return new CliError(`${op}: no AWS credentials found (${said})`, 'set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or run aws sso login / aws configure', 1);
  }
  const network = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|socket hang up/.exec(`${cause.code ?? ''} ${text}`);
  if (network || cause.name === 'TimeoutError') {
    return new CliError(`${op}: could not reach SageMaker in ${where} (${network?.[0] ?? cause.name})`, error.endpoint ? `check that ${error.endpoint} is up` : 'check your network connection or --endpoint-url', 1);
  }
  if (/Could not find pipeline with PipelineName|Pipeline .* does not exist|ResourceNotFound/i.test(text) && subject.pipeline && !/execution/i.test(cause.message ?? '')) {
    return new CliError(
      `pipeline '${subject.pipeline}' does not exist in ${where} (the service said ${said})`,
      'check the name (it is the pipeline name of the deployed stack, e.g. the MlPipeline construct\'s pipelineName) and the region (--region)',
      1,
    );
  }
  if (/Could not find pipeline execution|execution .* does not exist|ResourceNotFound/i.test(text)) {
    return new CliError(
      `execution ${subject.execution ?? ''} does not exist in ${where} (the service said ${said})`.replace('execution  ', 'execution '),
      'list the executions with: npx mlops list <pipeline-name>',
      1,
    );
  }
  if (/AccessDenied|UnauthorizedOperation|not authorized/i.test(text)) {
    return new CliError(`${op} is not allowed for these credentials (${said})`, `grant sagemaker:${op} on the pipeline to the identity you use`, 1);
  }
  if (/Throttl|TooManyRequests/i.test(text)) {
    return new CliError(`${op} was throttled by the service (${said})`, 'wait a little and try again', 1);
  }
  if (status !== undefined && status >= 500) {
    const unparsable = cause.name === 'SyntaxError' || /Deserialization error|Unexpected token/i.test(cause.message ?? '');
    return new CliError(
      unparsable
        ? `${op} failed on the service side: HTTP ${status} with a body that is not an AWS error response; the endpoint${error.endpoint ? ` ${error.endpoint}` : ''} probably does not implement ${op} (moto, for one, does not)`
        : `${op} failed on the service side: HTTP ${status} (${said})`,
      unparsable ? `use an endpoint that implements ${op}, or read the result in the SageMaker console` : 'try again; if it persists, check the AWS Health Dashboard',
      1,
    );
  }
  if (cause.name === 'ValidationException') {
    return new CliError(`${op} was rejected: ${firstLine(cause.message)}`, undefined, 1);
  }
  return new CliError(`${op} failed (${said}${status ? `, HTTP ${status}` : ''})`, undefined, 1);
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0].trim();
}

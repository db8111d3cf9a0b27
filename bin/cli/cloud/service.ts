import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { requireFromProject } from '../project-module';

export interface ExecutionSummary {
  readonly arn: string;
  readonly status: string;
  readonly startTime?: Date;
  readonly displayName?: string;
  readonly failureReason?: string;
}

export interface ExecutionDetail extends ExecutionSummary {
  readonly pipelineArn?: string;
  readonly lastModifiedTime?: Date;
}

export interface StepSummary {
  readonly name: string;
  readonly status: string;
  readonly startTime?: Date;
  readonly endTime?: Date;
  readonly failureReason?: string;
  readonly cacheHit?: boolean;
  readonly attempts?: number;
}

export interface PipelineParameterValue {
  readonly name: string;
  readonly value: string;
}

/** The SageMaker Pipelines operations the CLI uses; a fake stands in for it in unit tests. */
export interface PipelineService {
  /** The deployed definition (JSON text), to check parameters before starting. */
  describePipeline(name: string): Promise<{ readonly arn?: string; readonly definition?: string }>;
  start(name: string, parameters: PipelineParameterValue[]): Promise<string>;
  /** Latest first. */
  listExecutions(name: string, max: number): Promise<ExecutionSummary[]>;
  describeExecution(arn: string): Promise<ExecutionDetail>;
  /** Every step of an execution, in the order the service lists them. */
  listSteps(arn: string): Promise<StepSummary[]>;
  /** RetryPipelineExecution; returns the execution's ARN. */
  retry(arn: string): Promise<string>;
}

export interface ServiceOptions {
  /** @default the standard chain (AWS_REGION, profile) */
  readonly region?: string;
  /** e.g. http://127.0.0.1:5000 for moto */
  readonly endpoint?: string;
}

/** An SDK error with the operation that raised it, for explanations. */
export class ServiceCallError extends Error {
  constructor(public readonly operation: string, public readonly sdkError: unknown, public readonly region?: string, public readonly endpoint?: string) {
    super(`${operation} failed: ${(sdkError as Error)?.message ?? String(sdkError)}`);
    this.name = 'ServiceCallError';
  }
}

/** PipelineService over @aws-sdk/client-sagemaker; credentials come from the standard chain. */
export class SageMakerPipelineService implements PipelineService {
  private readonly sdk: typeof import('@aws-sdk/client-sagemaker');
  private readonly client: SageMakerClient;

  constructor(private readonly options: ServiceOptions = {}) {
    // The SDK's notice that its releases after January 2027 need Node 22 is about the SDK's own
    // upgrades, not this command: off unless the user set the variable.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    // Loaded on first use, from the user's project: `mlops run` and `mlops graph` never need it.
    this.sdk = requireFromProject<typeof import('@aws-sdk/client-sagemaker')>('@aws-sdk/client-sagemaker', process.cwd(), 'the SageMaker commands (start, status, list, retry)', '@aws-sdk/client-sagemaker');
    this.client = new this.sdk.SageMakerClient({ region: options.region, endpoint: options.endpoint, maxAttempts: 2 });
  }

  public async describePipeline(name: string) {
    const out = await this.call('DescribePipeline', () => this.client.send(new this.sdk.DescribePipelineCommand({ PipelineName: name })));
    return { arn: out.PipelineArn, definition: out.PipelineDefinition };
  }

  public async start(name: string, parameters: PipelineParameterValue[]): Promise<string> {
    const out = await this.call('StartPipelineExecution', () =>
      this.client.send(new this.sdk.StartPipelineExecutionCommand({
        PipelineName: name,
        PipelineParameters: parameters.length ? parameters.map((p) => ({ Name: p.name, Value: p.value })) : undefined,
      })));
    return out.PipelineExecutionArn ?? '(the service returned no execution ARN)';
  }

  public async listExecutions(name: string, max: number): Promise<ExecutionSummary[]> {
    const out: ExecutionSummary[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('ListPipelineExecutions', () =>
        this.client.send(new this.sdk.ListPipelineExecutionsCommand({
          PipelineName: name,
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
          MaxResults: Math.min(100, max - out.length),
          NextToken: token,
        })));
      for (const e of page.PipelineExecutionSummaries ?? []) {
        out.push({
          arn: e.PipelineExecutionArn ?? '?',
          status: e.PipelineExecutionStatus ?? 'Unknown',
          startTime: e.StartTime,
          displayName: e.PipelineExecutionDisplayName,
          failureReason: e.PipelineExecutionFailureReason,
        });
      }
      token = page.NextToken;
    } while (token && out.length < max);
    // Sorted here too: not every implementation honours SortOrder.
    return out.sort((a, b) => (b.startTime?.getTime() ?? 0) - (a.startTime?.getTime() ?? 0)).slice(0, max);
  }

  public async describeExecution(arn: string): Promise<ExecutionDetail> {
    const e = await this.call('DescribePipelineExecution', () => this.client.send(new this.sdk.DescribePipelineExecutionCommand({ PipelineExecutionArn: arn })));
    return {
      arn: e.PipelineExecutionArn ?? arn,
      status: e.PipelineExecutionStatus ?? 'Unknown',
      pipelineArn: e.PipelineArn,
      startTime: e.CreationTime,
      lastModifiedTime: e.LastModifiedTime,
      displayName: e.PipelineExecutionDisplayName,
      failureReason: e.FailureReason,
    };
  }

  public async listSteps(arn: string): Promise<StepSummary[]> {
    const out: StepSummary[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('ListPipelineExecutionSteps', () =>
        this.client.send(new this.sdk.ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn, SortOrder: 'Ascending', NextToken: token })));
      for (const s of page.PipelineExecutionSteps ?? []) {
        out.push({
          name: s.StepDisplayName ?? s.StepName ?? '?',
          status: s.StepStatus ?? 'Unknown',
          startTime: s.StartTime,
          endTime: s.EndTime,
          failureReason: s.FailureReason,
          cacheHit: s.CacheHitResult?.SourcePipelineExecutionArn !== undefined,
          attempts: s.AttemptCount,
        });
      }
      token = page.NextToken;
    } while (token);
    return out;
  }

  public async retry(arn: string): Promise<string> {
    const out = await this.call('RetryPipelineExecution', () => this.client.send(new this.sdk.RetryPipelineExecutionCommand({ PipelineExecutionArn: arn })));
    return out.PipelineExecutionArn ?? arn;
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (e) {
      let region = this.options.region;
      try {
        region ??= await this.client.config.region();
      } catch {
        region = undefined;
      }
      throw new ServiceCallError(operation, e, region, this.options.endpoint);
    }
  }
}

import { Arn, ArnFormat, Duration, Resource, Stack, Token } from 'aws-cdk-lib';
import { PipelineValidationError } from '../../lib/pipeline/errors';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct, IConstruct } from 'constructs';
import { PipelineTrigger, TriggerOptions } from './trigger';

/**
 * A SageMaker pipeline that other constructs can start: one this app deploys (MlPipeline) or one
 * imported by name or ARN. It is also an aws-sagemaker IPipeline, so aws-cdk-lib's own targets
 * take it (e.g. aws-scheduler-targets' SageMakerStartPipelineExecution).
 */
export interface IMlPipeline extends sagemaker.IPipeline {
  /** Allows `grantee` to start executions of this pipeline (sagemaker:StartPipelineExecution on it), and nothing else. */
  grantStart(grantee: iam.IGrantable): iam.Grant;
  /**
   * Starts the pipeline with these parameter values on matching events (an EventBridge rule) or
   * on a schedule (EventBridge Scheduler), through a role that may only start this pipeline.
   */
  addTrigger(id: string, options: TriggerOptions): PipelineTrigger;
}

/** What MlPipeline and imported pipelines share: grants, triggers, metrics. */
export abstract class MlPipelineBase extends Resource implements IMlPipeline {
  public abstract readonly pipelineName: string;
  /** The pipeline's ARN (in lower case, as SageMaker reports it). */
  public abstract readonly pipelineArn: string;
  /** @internal */
  public abstract readonly _startArns: string[];
  /** @internal */
  public abstract readonly _subject: string;
  /** @internal */
  public abstract readonly _startDependency?: IConstruct;
  /** @internal Why the pipeline cannot be started or measured as a SageMaker pipeline (Airflow), if so. */
  public abstract readonly _notStartable?: string;

  /** @internal */
  protected _requireStartable(what: string): void {
    if (this._notStartable !== undefined) {
      throw new PipelineValidationError(this._subject, [`${what}: this pipeline ${this._notStartable}`]);
    }
  }

  public get pipelineRef(): sagemaker.PipelineReference {
    return { pipelineName: this.pipelineName };
  }

  public grantStart(grantee: iam.IGrantable): iam.Grant {
    this._requireStartable('grantStart');
    return iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:StartPipelineExecution'], resourceArns: this._startArns });
  }

  /** The same as grantStart (aws-sagemaker's IPipeline name). */
  public grantStartPipelineExecution(grantee: iam.IGrantable): iam.Grant {
    return this.grantStart(grantee);
  }

  /** The same as grantStart (this construct's earlier name). */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.grantStart(grantee);
  }

  public addTrigger(id: string, options: TriggerOptions): PipelineTrigger {
    this._requireStartable(`addTrigger('${id}')`);
    return new PipelineTrigger(this, id, { ...options, pipeline: this });
  }

  /**
   * A metric SageMaker publishes for this pipeline in AWS/Sagemaker/ModelBuildingPipeline
   * (ExecutionStarted, ExecutionFailed, ExecutionSucceeded, ExecutionStopped, ExecutionDuration).
   */
  public metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    this._requireStartable(`metric('${metricName}')`);
    return new cloudwatch.Metric({
      namespace: 'AWS/Sagemaker/ModelBuildingPipeline',
      metricName,
      dimensionsMap: { PipelineName: this.pipelineName },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** Failed executions (sum per period). */
  public metricExecutionsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ExecutionFailed', props);
  }

  /** Succeeded executions (sum per period). */
  public metricExecutionsSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ExecutionSucceeded', props);
  }

  /** Started executions (sum per period). */
  public metricExecutionsStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ExecutionStarted', props);
  }

  /** Execution duration in milliseconds (average per period). */
  public metricExecutionDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ExecutionDuration', { statistic: cloudwatch.Stats.AVERAGE, ...props });
  }

  /** @internal */
  public abstract _triggerParameters(given: { [name: string]: string }): { values: { [name: string]: string }; problems: string[] };
}

/** A pipeline deployed elsewhere: its parameters are unknown here, so values pass unchecked. @internal */
export class ImportedMlPipeline extends MlPipelineBase {
  /** By name: the ARN in this stack's account and region. */
  public static fromName(scope: Construct, id: string, pipelineName: string): IMlPipeline {
    const stack = Stack.of(scope);
    const names = Token.isUnresolved(pipelineName) ? [pipelineName] : [...new Set([pipelineName.toLowerCase(), pipelineName])];
    const arns = names.map((n) => stack.formatArn({ service: 'sagemaker', resource: 'pipeline', resourceName: n }));
    return new ImportedMlPipeline(scope, id, pipelineName, arns);
  }

  /** By ARN `arn:<partition>:sagemaker:<region>:<account>:pipeline/<name>`. */
  public static fromArn(scope: Construct, id: string, pipelineArn: string): IMlPipeline {
    const name = Arn.split(pipelineArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
    const arns = Token.isUnresolved(pipelineArn) ? [pipelineArn] : [...new Set([pipelineArn.toLowerCase(), pipelineArn])];
    return new ImportedMlPipeline(scope, id, name, arns, pipelineArn);
  }

  public readonly pipelineArn: string;
  /** @internal */
  public readonly _subject: string;
  /** @internal */
  public readonly _startDependency = undefined;
  /** @internal */
  public readonly _notStartable = undefined;

  private constructor(scope: Construct, id: string, public readonly pipelineName: string, /** @internal */ public readonly _startArns: string[], arn?: string) {
    super(scope, id, arn ? { environmentFromArn: arn } : {});
    this.pipelineArn = _startArns[0];
    this._subject = `MlPipeline '${this.node.path}' (imported)`;
  }

  /** @internal */
  public _triggerParameters(given: { [name: string]: string }): { values: { [name: string]: string }; problems: string[] } {
    return { values: { ...given }, problems: [] };
  }
}

import { CfnResource, Lazy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct, IConstruct } from 'constructs';
import { eventBridgeSchedule } from '../../lib/compile/sagemaker/schedule';
import { PipelineValidationError, show } from '../../lib/pipeline/errors';
import { Schedule } from '../../lib/pipeline/schedule';
import { acknowledgeComplianceRules, OWN_POLICY_REASON } from './nag-acknowledgements';
import type { IMlPipeline } from './pipeline-base';

/** How a trigger starts the pipeline: an EventBridge rule, or an EventBridge Scheduler schedule. */
export interface TriggerOptions {
  /**
   * Start the pipeline on every event that matches this pattern: the trigger makes an EventBridge
   * rule with it. Give `eventPattern` or `schedule`, not both.
   * @default no rule
   */
  readonly eventPattern?: events.EventPattern;
  /** The event bus the rule listens on (with `eventPattern`). @default the account's default event bus */
  readonly eventBus?: events.IEventBus;
  /**
   * Start the pipeline on this schedule: the trigger makes an EventBridge Scheduler schedule, in
   * the schedule's time zone, with the schedule's parameter values.
   * @default no schedule
   */
  readonly schedule?: Schedule;
  /**
   * Parameter values of the executions it starts, as text (`'0.95'`, `'true'`), checked against
   * the pipeline's parameters at synth time (not for imported pipelines). With `schedule`, they
   * are added to the schedule's own values and win over them.
   * @default the pipeline's defaults (and the schedule's values)
   */
  readonly parameters?: { [name: string]: string };
  /** @default a description naming the pipeline */
  readonly description?: string;
}

export interface PipelineTriggerProps extends TriggerOptions {
  /** The pipeline to start. */
  readonly pipeline: IMlPipeline;
}

/** What a trigger asks of the pipeline it starts, beyond IMlPipeline. @internal */
export interface StartablePipeline {
  /** ARNs StartPipelineExecution must be allowed on. */
  readonly _startArns: string[];
  /** What the rule or schedule must be created after (the pipeline resource), if anything. */
  readonly _startDependency?: IConstruct;
  /** For messages: "MlPipeline 'Stack/Iris'". */
  readonly _subject: string;
  /** Why the pipeline cannot be started by a trigger (its engine has no start API EventBridge calls), if so. */
  readonly _notStartable?: string;
  /** The parameter values as the engine receives them (text), and what is wrong with them. */
  _triggerParameters(given: { [name: string]: string }): { values: { [name: string]: string }; problems: string[] };
}

/** What each EventBridge service accepts in a SageMaker pipeline parameter (botocore's models). */
const LIMITS = {
  rule: { service: 'EventBridge', minValue: 0, name: /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/, nameRule: "letters and digits, with '-' between them" },
  schedule: { service: 'EventBridge Scheduler', minValue: 1, name: /^[A-Za-z0-9\-_]*$/, nameRule: "letters, digits, '-' and '_'" },
};
const MAX_VALUE = 1024;
const MAX_PARAMETERS = 200;

/**
 * Starts a SageMaker pipeline with parameter values: on events that match a pattern (an
 * EventBridge rule) or on a schedule (an EventBridge Scheduler schedule). The service assumes a
 * role of the trigger's own that may start this pipeline and nothing else, only for this account
 * (aws:SourceAccount, and aws:SourceArn on the account's rules or its default schedule group).
 * Make one with `pipeline.addTrigger(id, options)`.
 */
export class PipelineTrigger extends Construct {
  /** The role EventBridge assumes to start the pipeline. */
  public readonly roleArn: string;
  /** The AWS::Events::Rule or AWS::Scheduler::Schedule. */
  public readonly resource: CfnResource;
  /** The ARN of the rule or schedule. */
  public readonly triggerArn: string;
  private readonly pipeline: IMlPipeline;
  private readonly given: { [name: string]: string };
  private readonly limits: (typeof LIMITS)['rule'];
  private readonly label: string;

  constructor(scope: Construct, id: string, props: PipelineTriggerProps) {
    super(scope, id);
    this.pipeline = props.pipeline;
    const host = startable(props.pipeline);
    this.label = (props as { _label?: string })._label ?? `trigger '${id}'`;
    const subject = host?._subject ?? `PipelineTrigger '${this.node.path}'`;
    if (host?._notStartable !== undefined) {
      throw new PipelineValidationError(subject, [`${this.label}: this pipeline ${host._notStartable}`]);
    }
    if ((props.eventPattern === undefined) === (props.schedule === undefined)) {
      throw new PipelineValidationError(subject, [`${this.label}: give eventPattern (an EventBridge rule) or schedule (an EventBridge Scheduler schedule), not ${props.schedule ? 'both' : 'neither'}`]);
    }
    if (props.schedule !== undefined && !Schedule.isSchedule(props.schedule)) {
      throw new PipelineValidationError(subject, [`${this.label}: schedule is ${show(props.schedule)}; use Schedule.cron(...), Schedule.rate(...) or a preset such as Schedule.daily()`]);
    }
    this.given = { ...(props.schedule?.parameters ?? {}), ...(props.parameters ?? {}) };
    this.limits = props.schedule ? LIMITS.schedule : LIMITS.rule;
    const stack = Stack.of(this);
    const arns = host?._startArns ?? [props.pipeline.pipelineArn];
    const parameters = Lazy.any({ produce: () => this.parameterList() });
    const name = props.pipeline.pipelineName;
    let resource: CfnResource;
    if (props.schedule) {
      let expression: ReturnType<typeof eventBridgeSchedule>;
      try {
        expression = eventBridgeSchedule(props.schedule);
      } catch (e) {
        throw new PipelineValidationError(subject, [`${this.label}: ${(e as Error).message}`]);
      }
      const role = startRole(this, 'scheduler.amazonaws.com', arns, `Starts ML pipeline ${name} on its schedule`,
        stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: 'default' }));
      this.roleArn = role.attrArn;
      const schedule = new scheduler.CfnSchedule(this, 'Default', {
        description: props.description ?? `Runs ML pipeline ${name} at ${props.schedule} (${expression.timeZone})`,
        scheduleExpression: expression.expression,
        scheduleExpressionTimezone: expression.timeZone,
        flexibleTimeWindow: { mode: 'OFF' },
        state: 'ENABLED',
        target: {
          arn: props.pipeline.pipelineArn,
          roleArn: role.attrArn,
          retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
          sageMakerPipelineParameters: parameters,
        },
      });
      this.triggerArn = schedule.attrArn;
      resource = schedule;
    } else {
      // The role cannot name the rule's own ARN (the rule names the role: a cycle), so the account's rules.
      const role = startRole(this, 'events.amazonaws.com', arns, `Starts ML pipeline ${name} on matching events`,
        stack.formatArn({ service: 'events', resource: 'rule', resourceName: '*' }));
      this.roleArn = role.attrArn;
      const rule = new events.CfnRule(this, 'Default', {
        description: props.description ?? `Starts ML pipeline ${name} on matching events`,
        eventBusName: props.eventBus?.eventBusName,
        eventPattern: cfnEventPattern(props.eventPattern!),
        state: 'ENABLED',
        // aws-events' IRuleTarget cannot carry SageMakerPipelineParameters, so the target is written here.
        targets: [{
          id: 'Pipeline',
          arn: props.pipeline.pipelineArn,
          roleArn: role.attrArn,
          retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
          sageMakerPipelineParameters: parameters,
        }],
      });
      this.triggerArn = rule.attrArn;
      resource = rule;
    }
    this.resource = resource;
    if (host?._startDependency) {
      resource.node.addDependency(host._startDependency);
    }
    this.node.addValidation({ validate: () => this.checked().problems.map((p) => new PipelineValidationError(subject, [p]).message) });
  }

  /** The parameter values as the pipeline receives them, and their problems, at synth time. */
  private checked(): { values: { [name: string]: string }; problems: string[] } {
    const host = startable(this.pipeline);
    const { values, problems } = host ? host._triggerParameters(this.given) : { values: { ...this.given }, problems: [] };
    const l = this.limits;
    const found = problems.map((p) => `${this.label} parameters: ${p}`);
    if (Object.keys(values).length > MAX_PARAMETERS) {
      found.push(`${this.label} parameters: ${Object.keys(values).length} values given, but ${l.service} passes at most ${MAX_PARAMETERS}`);
    }
    for (const [name, value] of Object.entries(values)) {
      if (!l.name.test(name)) {
        found.push(`${this.label} parameters: parameter '${name}' cannot be passed by ${l.service} (names: ${l.nameRule}); rename the parameter or start the pipeline another way`);
      }
      if (value.length < l.minValue) {
        found.push(`${this.label} parameters: parameter '${name}' is set to an empty string, which ${l.service} cannot pass (values need 1 to ${MAX_VALUE} characters); leave it out to use the default, or give a value`);
      } else if (value.length > MAX_VALUE) {
        found.push(`${this.label} parameters: parameter '${name}' has ${value.length} characters, but ${l.service} passes at most ${MAX_VALUE}; shorten it`);
      }
    }
    return { values, problems: found };
  }

  private parameterList(): object | undefined {
    const entries = Object.entries(this.checked().values);
    return entries.length > 0 ? { pipelineParameterList: entries.map(([name, value]) => ({ name, value })) } : undefined;
  }
}

function startable(pipeline: IMlPipeline): StartablePipeline | undefined {
  const p = pipeline as unknown as Partial<StartablePipeline>;
  return typeof p._triggerParameters === 'function' ? (p as StartablePipeline) : undefined;
}

/** Internal plumbing, so L1: the service may start this pipeline and nothing else, for this account only. */
function startRole(scope: Construct, service: string, arns: string[], description: string, sourceArn: string): iam.CfnRole {
  const stack = Stack.of(scope);
  const role = new iam.CfnRole(scope, 'Role', {
    description,
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': sourceArn } },
      }],
    },
    policies: [{
      policyName: 'StartPipeline',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sagemaker:StartPipelineExecution', Resource: arns.length === 1 ? arns[0] : arns }],
      },
    }],
  });
  acknowledgeComplianceRules(role, { IAMNoInlinePolicy: OWN_POLICY_REASON });
  return role;
}

/** An aws-events EventPattern in CloudFormation's key names (only detailType differs). */
function cfnEventPattern(pattern: events.EventPattern): object {
  const out: { [key: string]: unknown } = {};
  for (const [key, value] of Object.entries(pattern)) {
    if (value !== undefined) {
      out[key === 'detailType' ? 'detail-type' : key] = value;
    }
  }
  return out;
}


import { Condition } from '../condition';
import { show } from '../errors';
import { Step, StepKind, StepOptions } from '../step';
import { Value } from '../values';
import { brand } from '../brand';

export interface ConditionStepProps extends StepOptions {
  readonly when: Condition;
  /** Steps that run when the condition holds. */
  readonly then?: Step[];
  /** Steps that run when it does not. */
  readonly otherwise?: Step[];
}

export enum Branch {
  THEN = 'then',
  OTHERWISE = 'otherwise',
}

/**
 * Evaluates a condition at run time and runs one of two branches. Steps in a branch may read
 * anything upstream of the condition; steps outside it may not read or wait on branch steps.
 */
export class ConditionStep extends Step {
  public readonly kind: string = StepKind.CONDITION;
  public readonly when: Condition;
  public readonly thenSteps: Step[];
  public readonly otherwiseSteps: Step[];
  private readonly branchesGiven: { then: boolean; otherwise: boolean };

  /** @internal use Step.condition */
  constructor(name: string, props: ConditionStepProps) {
    super(name, props);
    this.when = props.when;
    this.thenSteps = [...(props.then ?? [])];
    this.otherwiseSteps = [...(props.otherwise ?? [])];
    this.branchesGiven = { then: props.then !== undefined, otherwise: props.otherwise !== undefined };
  }

  public branch(which: Branch): Step[] {
    return which === Branch.THEN ? this.thenSteps : this.otherwiseSteps;
  }

  public override values(): Value[] {
    return Condition.isCondition(this.when) ? this.when.values() : [];
  }

  public override children(): Step[] {
    return [...this.thenSteps, ...this.otherwiseSteps];
  }

  public problems(): string[] {
    const problems: string[] = [];
    if (!Condition.isCondition(this.when)) {
      problems.push(`'when' is ${show(this.when)}, not a Condition; build one with Condition.gte(...), Condition.eq(...), ...`);
    }
    for (const branch of [Branch.THEN, Branch.OTHERWISE]) {
      const steps = this.branch(branch);
      if (this.branchesGiven[branch] && steps.length === 0) {
        problems.push(`branch '${branch}' is empty; give it at least one step or leave it out`);
      }
      const notSteps = steps.filter((s) => !Step.isStep(s));
      if (notSteps.length > 0) {
        problems.push(`branch '${branch}' holds ${notSteps.map(show).join(', ')}, which are not steps; use Step.script(...) and the other Step factories`);
      }
    }
    if (this.thenSteps.length === 0 && this.otherwiseSteps.length === 0 && !this.branchesGiven.then && !this.branchesGiven.otherwise) {
      problems.push("has neither 'then' nor 'otherwise' steps; give at least one branch");
    }
    return problems;
  }
}

brand(ConditionStep, 'cdk-mlops.ConditionStep');

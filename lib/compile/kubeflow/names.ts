import { Step } from '../../pipeline/step';

/**
 * The naming rule for Kubeflow, decided once (changing it renames every task and breaks caches and
 * run history): a step's KFP task name is its name in lower case with '_' turned into '-'. Other
 * names derive from the task name T:
 *
 * - container, fail and register-model steps: component `comp-T`, executor `exec-T`;
 * - condition steps: task T runs component `comp-T`, which holds the tasks `T-then` and
 *   `T-otherwise` (components `comp-T-then`, `comp-T-otherwise`);
 * - forEach steps: task T runs the loop component `comp-T-for-each`, whose task T runs `comp-T`;
 * - an input I of task T read from a URI: the importer task `T-import-I` (I in lower case, '_' as
 *   '-') beside T, component `comp-T-import-I`, executor `exec-T-import-I`.
 *
 * KFP's backend turns task names into Argo DAG task names (plus a `T-driver` task each) and
 * component names into Argo template names (plus `<loop component>-T-iterator` and
 * `<loop component>-iteration` for loops); Argo allows letters, digits and '-', starting with a
 * letter or digit, at most 128 characters. Collisions after derivation are errors.
 */
export function kubeflowTaskName(stepName: string): string {
  return stepName.toLowerCase().replace(/_/g, '-');
}

export const componentName = (task: string): string => `comp-${task}`;
export const executorLabel = (task: string): string => `exec-${task}`;
export const thenTaskName = (task: string): string => `${task}-then`;
export const otherwiseTaskName = (task: string): string => `${task}-otherwise`;
export const loopComponentName = (task: string): string => `comp-${task}-for-each`;
export const importerTaskName = (task: string, input: string): string => `${task}-import-${kubeflowTaskName(input)}`;

/** What KFP's API server accepts as `pipelineInfo.name`. */
export const KFP_PIPELINE_NAME = /^[a-z0-9][a-z0-9-]{0,127}$/;
/** Argo's limit for template and DAG task names ([a-zA-Z0-9][-a-zA-Z0-9]*), which KFP derives from ours. */
const ARGO_NAME_MAX = 128;

/** The Argo templates KFP's backend creates for a loop task. */
export function iteratorTemplateNames(loopComponent: string, task: string): string[] {
  return [`${loopComponent}-${task}-iterator`, `${loopComponent}-iteration`];
}

/** Collects every derived name with the step it comes from, and reports what KFP or Argo would reject. */
export class KubeflowNames {
  private readonly taskOwners = new Map<string, Step>();
  private readonly templateOwners = new Map<string, Step>();
  private readonly dagTaskOwners = new Map<string, Map<string, Step>>();
  private readonly problems: string[] = [];

  /** Records a step's task name; reports names Argo rejects and names two steps share. */
  public claimStep(step: Step): string {
    const task = kubeflowTaskName(step.name);
    if (!/^[a-z0-9]/.test(task)) {
      this.problems.push(`step '${step.name}': its Kubeflow task name '${task}' (the step name in lower case, '_' as '-') must start with a letter or digit, as Argo requires of the task names KFP derives; rename the step, e.g. '${task.replace(/^-+/, '') || 'step'}'`);
    }
    const other = this.taskOwners.get(task);
    if (other !== undefined && other !== step) {
      this.problems.push(`steps '${other.name}' and '${step.name}' both get the Kubeflow task name '${task}' (step names in lower case, '_' as '-'); rename one`);
    } else {
      this.taskOwners.set(task, step);
    }
    return task;
  }

  /** Records a component name (an Argo template name on the cluster). */
  public claimTemplate(name: string, step: Step): void {
    this.checkArgoName(name, step, 'Argo template name');
    const other = this.templateOwners.get(name);
    if (other !== undefined) {
      const who = other === step ? `step '${step.name}' needs it twice` : `steps '${other.name}' and '${step.name}' both need it`;
      this.problems.push(`KFP component or Argo template name '${name}' is not unique: ${who}; rename ${other === step ? 'the step' : 'one of them'}`);
    } else {
      this.templateOwners.set(name, step);
    }
  }

  /** Records the Argo DAG tasks KFP creates for one KFP task in the DAG `dag`. */
  public claimDagTask(dag: string, task: string, step: Step, iterator: boolean): void {
    const tasks = this.dagTaskOwners.get(dag) ?? new Map<string, Step>();
    this.dagTaskOwners.set(dag, tasks);
    for (const name of iterator ? [task] : [task, `${task}-driver`]) {
      this.checkArgoName(name, step, 'Argo task name');
      const other = tasks.get(name);
      if (other !== undefined && other !== step) {
        this.problems.push(`steps '${other.name}' and '${step.name}' both need the Argo task '${name}' in the same DAG (KFP adds a '<task>-driver' task beside each task); rename one`);
      } else {
        tasks.set(name, step);
      }
    }
  }

  public collectedProblems(): string[] {
    return [...new Set(this.problems)];
  }

  private checkArgoName(name: string, step: Step, what: string): void {
    // Derived names are the task name plus fixed suffixes, so only the task name's first character
    // (checked in claimStep) and the length can break Argo's rule.
    if (name.length > ARGO_NAME_MAX) {
      this.problems.push(`step '${step.name}': KFP derives the ${what} '${name}' (${name.length} chars) from it, over Argo's limit of ${ARGO_NAME_MAX}; shorten the step name by ${name.length - ARGO_NAME_MAX} chars or more`);
    }
  }
}

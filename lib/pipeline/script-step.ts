import { ContainerStep, ContainerStepProps, duplicates, optional, sameUpperCase } from './container-step';
import { show } from './errors';
import { checkName, IDENTIFIER } from './names';
import { StepKind } from './step';
import { StepArtifact, ValueType } from './values';

export interface ScriptStepProps extends ContainerStepProps {
  /** Directories the script writes, each found through MLOPS_OUTPUT_<NAME>. */
  readonly outputs?: string[];
  /** Metrics whose values are strings (compare them with == / != / isIn only). */
  readonly stringMetrics?: string[];
  /**
   * Static fan-out: run the step once per item, in parallel, each run finding its item in
   * MLOPS_ITEM. Later steps may wait for all runs (dependsOn) but not read their outputs or metrics.
   */
  readonly forEach?: string[];
}

/** Runs a script: data extraction, cleaning, feature engineering, evaluation, ... */
export class ScriptStep extends ContainerStep {
  public readonly kind = StepKind.SCRIPT;
  public readonly outputNames: string[];
  public readonly stringMetricNames: string[];
  public readonly forEach?: string[];

  /** @internal use Step.script */
  constructor(name: string, props: ScriptStepProps) {
    super(name, props);
    this.outputNames = [...(props.outputs ?? [])];
    this.stringMetricNames = [...(props.stringMetrics ?? [])];
    this.forEach = props.forEach ? [...props.forEach] : undefined;
  }

  /** An output directory of this step, to pass as another step's input. */
  public output(name: string): StepArtifact {
    return new StepArtifact(this, name, false);
  }

  public override metricType(name: string): ValueType | undefined {
    return this.stringMetricNames.includes(name) ? ValueType.STRING : super.metricType(name);
  }

  public override metricTypes(): { [name: string]: ValueType } {
    return {
      ...super.metricTypes(),
      ...Object.fromEntries(this.stringMetricNames.map((m) => [m, ValueType.STRING])),
    };
  }

  public override problems(): string[] {
    const problems = super.problems();
    problems.push(...duplicates('output', this.outputNames));
    for (const output of this.outputNames) {
      problems.push(...optional(checkName(IDENTIFIER, output, 'output name')));
    }
    problems.push(...sameUpperCase('output', this.outputNames));
    problems.push(...duplicates('metric', this.stringMetricNames));
    for (const metric of this.stringMetricNames) {
      problems.push(...optional(checkName(IDENTIFIER, metric, 'metric name')));
      if (this.metricNames.includes(metric)) {
        problems.push(`metric '${metric}' is declared both in metrics and stringMetrics; keep it in one`);
      }
    }
    if (this.forEach !== undefined) {
      if (this.forEach.length === 0) {
        problems.push('forEach is empty; list at least one item or remove forEach');
      }
      const notText = this.forEach.filter((item) => typeof item !== 'string');
      if (notText.length > 0) {
        problems.push(`forEach items must be strings, got ${notText.map(show).join(', ')}`);
      }
      problems.push(...duplicates('forEach item', this.forEach));
    }
    return problems;
  }
}

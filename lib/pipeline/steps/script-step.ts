import { optionalProblem as optional } from '../rules';
import { ContainerStep, ContainerStepProps, duplicates, sameUpperCase } from './container-step';
import { checkName, IDENTIFIER } from '../names';
import { StepKind } from '../step';
import { ArtifactType, StepArtifact } from '../artifacts';
import { ValueType } from '../values';
import { brand } from '../brand';

export interface ScriptStepProps extends ContainerStepProps {
  /** Directories the script writes, each found through MLOPS_OUTPUT_<NAME>. */
  readonly outputs?: string[];
  /** Metrics whose values are strings (compare them with == / != / isIn only). */
  readonly stringMetrics?: string[];
}

/** Runs a script: data extraction, cleaning, feature engineering, evaluation, ... */
export class ScriptStep extends ContainerStep {
  public readonly kind: string = StepKind.SCRIPT;
  public readonly outputNames: string[];
  public readonly stringMetricNames: string[];

  /** @internal use Step.script */
  constructor(name: string, props: ScriptStepProps) {
    super(name, props);
    this.outputNames = [...(props.outputs ?? [])];
    this.stringMetricNames = [...(props.stringMetrics ?? [])];
  }

  /** An output directory of this step, to pass as another step's input. */
  public output(name: string): StepArtifact {
    return new StepArtifact(this, name, ArtifactType.DATASET);
  }

  public override outputPorts(): { [port: string]: ArtifactType } {
    return Object.fromEntries(this.outputNames.map((name) => [name, ArtifactType.DATASET]));
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
    return problems;
  }
}

brand(ScriptStep, 'cdk-mlops.ScriptStep');

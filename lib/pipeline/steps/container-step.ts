import { Code } from '../code';
import { show } from '../errors';
import { checkName, IDENTIFIER } from '../names';
import { imageProblem } from '../images';
import { cacheProblems, CachePolicy, retryProblems, RetryPolicy } from '../policies';
import { resourceProblems, Resources } from '../resources';
import { Step, StepOptions } from '../step';
import { ArtifactType, CollectedArtifact, DataSource, DIRECTORY_TYPES, METRICS_PORT } from '../artifacts';
import { isA } from '../brand';
import { LiteralValue, MetricRef, ParameterRef, Value, ValueType } from '../values';
import { brand } from '../brand';
import { MODEL_RULES, numberProblems, optionalProblem as optional, processTextProblem } from '../rules';

/** Props shared by the steps that run user code in a container. */
export interface ContainerStepProps extends StepOptions {
  /** The directory holding the step's code. */
  readonly code: Code;
  /** The script to run, relative to the code directory: '.py' runs with python3, '.sh' with sh. */
  readonly entry: string;
  /** Command-line arguments for the script. */
  readonly arguments?: string[];
  /**
   * The container image. On SageMaker it defaults to the region's scikit-learn image; Kubernetes
   * engines need one that has the script's runtime (or an engine-wide default).
   */
  readonly image?: string;
  /**
   * Data this step reads, by input name: another step's output or model, a forEach step's
   * `collect(port)` or `collectMetrics()`, or `DataSource.fromUri(...)`.
   */
  readonly inputs?: { [name: string]: DataSource };
  /**
   * The artifact type an input must have, by input name, to catch wiring mistakes at synth time.
   * @default any directory: a dataset, a model or a metrics directory
   */
  readonly inputTypes?: { [name: string]: ArtifactType };
  /** Parameters and literals passed to the script as MLOPS_PARAM_<NAME>. */
  readonly params?: { [name: string]: Value };
  /** Extra environment variables (names starting with MLOPS_ are reserved). */
  readonly env?: { [name: string]: string };
  /** Numeric metrics the script writes to its metrics file. */
  readonly metrics?: string[];
  /** @default the pipeline's default resources */
  readonly resources?: Resources;
  /** @default the pipeline's default retry policy */
  readonly retry?: RetryPolicy;
  /** @default the pipeline's default cache policy */
  readonly cache?: CachePolicy;
  /** Stop the step after this many seconds. @default the engine's limit */
  readonly timeoutSeconds?: number;
  /**
   * Static fan-out: run the step once per item, in parallel, each run finding its item in
   * MLOPS_ITEM. A later step reads all runs' outputs with `collect(port)` (a directory per item)
   * and their metrics with `collectMetrics()`, or waits for them with dependsOn.
   */
  readonly forEach?: string[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A step that runs a script; the base of script and training steps. */
export abstract class ContainerStep extends Step {
  public readonly code: Code;
  public readonly entry: string;
  public readonly arguments: string[];
  public readonly image?: string;
  public readonly params: { [name: string]: Value };
  public readonly env: { [name: string]: string };
  public readonly metricNames: string[];
  public readonly resources?: Resources;
  public readonly retry?: RetryPolicy;
  public readonly cache?: CachePolicy;
  public readonly timeoutSeconds?: number;
  public readonly forEach?: string[];
  private readonly inputMap: { [name: string]: DataSource };
  private readonly declaredInputTypes: { [name: string]: ArtifactType };

  protected constructor(name: string, props: ContainerStepProps) {
    super(name, props);
    this.code = props.code;
    this.entry = props.entry;
    this.arguments = [...(props.arguments ?? [])];
    this.image = props.image;
    this.inputMap = { ...(props.inputs ?? {}) };
    this.params = { ...(props.params ?? {}) };
    this.env = { ...(props.env ?? {}) };
    this.metricNames = [...(props.metrics ?? [])];
    this.resources = props.resources;
    this.retry = props.retry;
    this.cache = props.cache;
    this.timeoutSeconds = props.timeoutSeconds;
    this.forEach = props.forEach ? [...props.forEach] : undefined;
    this.declaredInputTypes = { ...(props.inputTypes ?? {}) };
  }

  /** True for a ContainerStep from any copy of cdk-mlops. */
  public static isContainerStep(x: unknown): x is ContainerStep {
    return isA(x, ContainerStep);
  }

  /** forEach steps: port `port` of every item, read as a directory holding one directory per item. */
  public collect(port: string): CollectedArtifact {
    return new CollectedArtifact(this, port, this.outputPorts()[port] ?? ArtifactType.DATASET);
  }

  /** forEach steps: every item's metrics, read as a directory holding `<item>/metrics.json`. */
  public collectMetrics(): CollectedArtifact {
    return new CollectedArtifact(this, METRICS_PORT, ArtifactType.METRICS);
  }

  public override inputTypes(): { [name: string]: ArtifactType[] } {
    return Object.fromEntries(Object.keys(this.inputMap).map((name) => {
      const declared = this.declaredInputTypes[name];
      return [name, declared !== undefined ? [declared] : [...DIRECTORY_TYPES]];
    }));
  }

  /** A metric this step writes, for conditions (not of a forEach step: use collectMetrics()). */
  public metric(name: string): MetricRef {
    return new MetricRef(this, name);
  }

  public override inputs(): { [name: string]: DataSource } {
    return { ...this.inputMap };
  }

  public override values(): Value[] {
    return Object.values(this.params);
  }

  public override metricType(name: string): ValueType | undefined {
    return this.metricNames.includes(name) ? ValueType.NUMBER : undefined;
  }

  /** Every metric name with its type. */
  public metricTypes(): { [name: string]: ValueType } {
    return Object.fromEntries(this.metricNames.map((m) => [m, ValueType.NUMBER]));
  }

  public problems(): string[] {
    const problems: string[] = [];
    if (!isA(this.code, Code)) {
      problems.push(`code ${show(this.code)} is not a Code; use Code.fromDirectory(dir)`);
    } else {
      problems.push(...this.code.problemsWithEntry(this.entry));
    }
    if (this.image !== undefined) {
      problems.push(...optional(imageProblem('image', this.image)));
    }
    this.arguments.forEach((a, i) => problems.push(...optional(processTextProblem(`argument ${i + 1}`, a))));
    for (const name of Object.keys(this.inputMap)) {
      problems.push(...optional(checkName(IDENTIFIER, name, 'input name')));
      if (!isA(this.inputMap[name], DataSource)) {
        problems.push(`input '${name}' is ${show(this.inputMap[name])}, not a data reference; use e.g. otherStep.output('data') or trainStep.model()`);
      }
    }
    for (const [name, type] of Object.entries(this.declaredInputTypes)) {
      if (!(name in this.inputMap)) {
        problems.push(`inputTypes names '${name}', which is not an input (inputs: ${Object.keys(this.inputMap).map(show).join(', ') || 'none'}); remove it or add the input`);
      } else if (!DIRECTORY_TYPES.includes(type)) {
        problems.push(`inputTypes '${name}' is ${show(type)} (allowed: ${DIRECTORY_TYPES.map((t) => `ArtifactType.${t.toUpperCase()}`).join(', ')})`);
      }
    }
    for (const [name, value] of Object.entries(this.params)) {
      problems.push(...optional(checkName(IDENTIFIER, name, 'param name')));
      if (!(isA(value, LiteralValue) || isA(value, ParameterRef))) {
        problems.push(`param '${name}' is ${value}, but params take pipeline parameters or literals (Value.string(...), pipeline.parameter(...)); pass metrics on through an output file`);
      } else if (isA(value, LiteralValue) && typeof value.value === 'string') {
        problems.push(...optional(processTextProblem(`param '${name}' value`, value.value)));
      }
    }
    for (const [name, value] of Object.entries(this.env)) {
      if (!ENV_NAME.test(name) || name.toUpperCase().startsWith('MLOPS_')) {
        problems.push(`env name ${show(name)} is invalid (allowed: letters, digits and '_', not starting with a digit, and not starting with the reserved MLOPS_); rename it`);
      }
      problems.push(...optional(processTextProblem(`env ${name} value`, value)));
    }
    problems.push(...duplicates('metric', this.metricNames));
    for (const metric of this.metricNames) {
      problems.push(...optional(checkName(IDENTIFIER, metric, 'metric name')));
    }
    problems.push(...sameUpperCase('input', Object.keys(this.inputMap)));
    problems.push(...sameUpperCase('param', Object.keys(this.params)));
    if (this.resources) {
      problems.push(...resourceProblems(this.resources));
    }
    problems.push(...retryProblems(this.retry), ...cacheProblems(this.cache));
    problems.push(...numberProblems(MODEL_RULES.timeoutSeconds, this.timeoutSeconds));
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

export function duplicates(what: string, names: string[]): string[] {
  const seen = new Set<string>();
  const dupes = new Set(names.filter((n) => (seen.has(n) ? true : (seen.add(n), false))));
  return [...dupes].map((n) => `${what} '${n}' is declared twice; declare each ${what} once`);
}

/** Names that differ only in case map to the same MLOPS_* variable. */
export function sameUpperCase(what: string, names: string[]): string[] {
  const byUpper = new Map<string, string>();
  const problems: string[] = [];
  for (const name of names) {
    const other = byUpper.get(name.toUpperCase());
    if (other !== undefined && other !== name) {
      problems.push(`${what} names '${other}' and '${name}' differ only in case and would share one MLOPS_ variable; rename one`);
    }
    byUpper.set(name.toUpperCase(), name);
  }
  return problems;
}

brand(ContainerStep, 'cdk-mlops.ContainerStep');

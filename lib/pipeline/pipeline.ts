import { PipelineValidationError, show } from './errors';
import { collectSteps, PipelineGraph } from './graph';
import { Parameter } from './parameter';
import { CachePolicy, RetryPolicy } from './policies';
import { Resources } from './resources';
import { Step } from './step';
import { pipelineProblems } from './validate';
import { ParameterRef, Scalar } from './values';
import { brand, isA } from './brand';

export interface PipelineProps {
  readonly description?: string;
  readonly parameters?: { [name: string]: Parameter };
  /** Resources for container steps that set none (field by field). */
  readonly defaultResources?: Resources;
  /** Retry policy for container steps that set none. @default no retries */
  readonly defaultRetry?: RetryPolicy;
  /** Cache policy for container steps that set none. @default CachePolicy.disabled() */
  readonly defaultCache?: CachePolicy;
}

/**
 * An ML pipeline, defined once and compiled to every engine: steps, the data flowing between
 * them, conditions, parameters, retries, caching and resources.
 */
export class Pipeline {
  /** True for a Pipeline from any copy of cdk-mlops. */
  public static isPipeline(x: unknown): x is Pipeline {
    return isA(x, Pipeline);
  }

  public readonly description?: string;
  public readonly defaultResources?: Resources;
  public readonly defaultRetry?: RetryPolicy;
  public readonly defaultCache?: CachePolicy;
  private readonly parameterMap: { [name: string]: Parameter };
  private readonly topLevel: Step[] = [];

  constructor(public readonly name: string, props: PipelineProps = {}) {
    this.description = props.description;
    this.parameterMap = { ...(props.parameters ?? {}) };
    this.defaultResources = props.defaultResources;
    this.defaultRetry = props.defaultRetry;
    this.defaultCache = props.defaultCache;
  }

  public addParameter(name: string, parameter: Parameter): ParameterRef {
    if (name in this.parameterMap) {
      throw new PipelineValidationError(`Pipeline '${this.name}'`, [`parameter '${name}' is defined twice; define each parameter once`]);
    }
    this.parameterMap[name] = parameter;
    return this.parameter(name);
  }

  /** A reference to a parameter, for conditions and step params. */
  public parameter(name: string): ParameterRef {
    return new ParameterRef(name, this.parameterMap[name]);
  }

  public get parameters(): { [name: string]: Parameter } {
    return { ...this.parameterMap };
  }

  /** Adds top-level steps, in order. Steps inside condition branches come with their condition. */
  public addStep(...steps: Step[]): void {
    this.topLevel.push(...steps);
  }

  /** The top-level steps, in the order added. */
  public get steps(): Step[] {
    return [...this.topLevel];
  }

  /** Every step, branch steps included, in declaration order. */
  public allSteps(): Step[] {
    return collectSteps(this.topLevel).map((p) => p.step);
  }

  /** Every problem with the pipeline; empty when it is valid. */
  public problems(): string[] {
    return pipelineProblems({
      name: this.name,
      parameters: this.parameterMap,
      steps: this.topLevel,
      defaultResources: this.defaultResources,
      defaultRetry: this.defaultRetry,
      defaultCache: this.defaultCache,
    });
  }

  /** Throws one PipelineValidationError listing every problem. */
  public validate(): void {
    const problems = this.problems();
    if (problems.length > 0) {
      throw new PipelineValidationError(`Pipeline '${this.name}'`, problems);
    }
  }

  /** Validates, then returns the graph compilers and runners read. */
  public graph(): PipelineGraph {
    this.validate();
    return new PipelineGraph(this.topLevel, {
      resources: this.defaultResources,
      retry: this.defaultRetry,
      cache: this.defaultCache,
    });
  }

  /**
   * The value of every parameter for one run: the defaults, overridden by `given` (text, as on a
   * command line). Throws naming every unknown, malformed or missing parameter.
   */
  public resolveParameters(given: { [name: string]: string } = {}): { [name: string]: Scalar } {
    const problems: string[] = [];
    const values: { [name: string]: Scalar } = {};
    const known = Object.keys(this.parameterMap);
    for (const [name, text] of Object.entries(given)) {
      const parameter = this.parameterMap[name];
      if (!parameter) {
        problems.push(`unknown parameter '${name}' (defined: ${known.length ? known.map((k) => `'${k}'`).join(', ') : 'none'})`);
        continue;
      }
      try {
        values[name] = parameter.parse(String(text));
      } catch (e) {
        problems.push(`parameter '${name}': ${(e as Error).message}; give ${parameter.type === 'integer' ? 'an' : 'a'} ${parameter.type}, e.g. ${name}=${show(parameter.defaultValue ?? example(parameter))}`);
      }
    }
    for (const [name, parameter] of Object.entries(this.parameterMap)) {
      if (!(name in given)) {
        if (parameter.defaultValue === undefined) {
          problems.push(`parameter '${name}' has no default and was not given; pass ${name}=<${parameter.type}>`);
        } else {
          values[name] = parameter.defaultValue;
        }
      }
    }
    if (problems.length > 0) {
      throw new PipelineValidationError(`Pipeline '${this.name}'`, problems);
    }
    return Object.fromEntries(known.filter((k) => k in values).map((k) => [k, values[k]]));
  }
}

function example(parameter: Parameter): Scalar {
  return { string: 'text', integer: 1, number: 0.5, boolean: true }[parameter.type];
}

brand(Pipeline, 'cdk-mlops.Pipeline');

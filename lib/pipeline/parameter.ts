import { show } from './errors';
import { processTextProblem } from './rules';
import { Scalar, ValueType } from './values';
import { brand, isA } from './brand';

export interface ParameterOptions {
  readonly description?: string;
  /** For string parameters: the only values allowed. */
  readonly allowedValues?: string[];
}

/**
 * A typed pipeline parameter. A run may override its default; a parameter without a default must
 * be given for every run.
 */
export class Parameter {
  /** True for a Parameter from any copy of cdk-mlops. */
  public static isParameter(x: unknown): x is Parameter {
    return isA(x, Parameter);
  }

  public static string(defaultValue?: string, options: ParameterOptions = {}): Parameter {
    return new Parameter(ValueType.STRING, defaultValue, options);
  }

  public static integer(defaultValue?: number, options: ParameterOptions = {}): Parameter {
    return new Parameter(ValueType.INTEGER, defaultValue, options);
  }

  public static number(defaultValue?: number, options: ParameterOptions = {}): Parameter {
    return new Parameter(ValueType.NUMBER, defaultValue, options);
  }

  public static boolean(defaultValue?: boolean, options: ParameterOptions = {}): Parameter {
    return new Parameter(ValueType.BOOLEAN, defaultValue, options);
  }

  public readonly description?: string;
  public readonly allowedValues?: string[];

  private constructor(
    public readonly type: ValueType,
    public readonly defaultValue: Scalar | undefined,
    options: ParameterOptions,
  ) {
    this.description = options.description;
    this.allowedValues = options.allowedValues;
  }

  /** A problem with `value` for this parameter (wording without the parameter's name), or undefined. */
  public checkValue(value: unknown): string | undefined {
    const wrongType = `${show(value)} is not ${article(this.type)} ${this.type}`;
    switch (this.type) {
      case ValueType.STRING:
        if (typeof value !== 'string') {
          return wrongType;
        }
        if (this.allowedValues && !this.allowedValues.includes(value)) {
          return processTextProblem('value', value) ?? `${show(value)} is not one of the allowed values ${this.allowedValues.map(show).join(', ')}`;
        }
        return processTextProblem('value', value);
      case ValueType.INTEGER:
        return typeof value === 'number' && Number.isSafeInteger(value) ? undefined : wrongType;
      case ValueType.NUMBER:
        return typeof value === 'number' && Number.isFinite(value) ? undefined : wrongType;
      case ValueType.BOOLEAN:
        return typeof value === 'boolean' ? undefined : wrongType;
    }
  }

  /**
   * Reads a value given as text (a CLI flag, a schedule's parameter map). Throws a message
   * without the parameter's name; callers add it.
   */
  public parse(text: string): Scalar {
    const value = this.fromText(text);
    const problem = value === undefined ? `${show(text)} is not ${article(this.type)} ${this.type}` : this.checkValue(value);
    if (problem !== undefined || value === undefined) {
      throw new Error(problem);
    }
    return value;
  }

  private fromText(text: string): Scalar | undefined {
    switch (this.type) {
      case ValueType.STRING:
        return text;
      case ValueType.BOOLEAN:
        return text.trim().toLowerCase() === 'true' ? true : text.trim().toLowerCase() === 'false' ? false : undefined;
      default: {
        const n = text.trim() === '' ? NaN : Number(text);
        return Number.isNaN(n) ? undefined : n;
      }
    }
  }

  /** The problems of the parameter's own definition. */
  public problems(): string[] {
    const problems: string[] = [];
    const textProblem = typeof this.defaultValue === 'string' ? processTextProblem('default', this.defaultValue) : undefined;
    if (textProblem !== undefined) {
      problems.push(textProblem);
    } else if (this.defaultValue !== undefined) {
      const problem = this.checkValue(this.defaultValue);
      if (problem && typeof this.defaultValue === 'string' && this.type === ValueType.STRING) {
        problems.push(`default ${problem}; make the default one of them or extend allowedValues`);
      } else if (problem) {
        problems.push(`default ${problem}; give a default of type ${this.type} or use Parameter.${factoryFor(this.defaultValue)}(...)`);
      }
    }
    if (this.allowedValues !== undefined && this.type !== ValueType.STRING) {
      problems.push(`allowedValues is only for string parameters, this one is ${this.type}; remove allowedValues`);
    }
    for (const allowed of this.type === ValueType.STRING ? this.allowedValues ?? [] : []) {
      const problem = processTextProblem('allowed value', allowed);
      if (problem !== undefined) {
        problems.push(problem);
      }
    }
    if (this.allowedValues !== undefined && this.allowedValues.length === 0) {
      problems.push('allowedValues is empty; list at least one value or remove allowedValues');
    }
    return problems;
  }
}

function article(type: ValueType): string {
  return type === ValueType.INTEGER ? 'an' : 'a';
}

function factoryFor(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'string';
  }
}

brand(Parameter, 'cdk-mlops.Parameter');

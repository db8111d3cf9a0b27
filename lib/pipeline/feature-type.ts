import { brand, isA } from './brand';

/** The kinds of value a feature holds: SageMaker Feature Store's three feature types. */
export enum FeatureKind {
  INTEGRAL = 'Integral',
  FRACTIONAL = 'Fractional',
  STRING = 'String',
}

/**
 * The type of one feature of a FeatureStoreTable, the same on every cloud: SageMaker Feature Store
 * stores it as the feature type of the same name; Feast as `Int64`, `Float64` or `String`.
 */
export class FeatureType {
  /** True for a FeatureType from any copy of cdk-mlops. */
  public static isFeatureType(x: unknown): x is FeatureType {
    return isA(x, FeatureType);
  }

  /** Whole numbers. */
  public static integral(): FeatureType {
    return new FeatureType(FeatureKind.INTEGRAL);
  }

  /** Floating-point numbers. */
  public static fractional(): FeatureType {
    return new FeatureType(FeatureKind.FRACTIONAL);
  }

  /** Text. */
  public static string(): FeatureType {
    return new FeatureType(FeatureKind.STRING);
  }

  private constructor(public readonly kind: FeatureKind) {}

  public toString(): string {
    const factory = { [FeatureKind.INTEGRAL]: 'integral', [FeatureKind.FRACTIONAL]: 'fractional', [FeatureKind.STRING]: 'string' }[this.kind];
    return `FeatureType.${factory}()`;
  }
}

brand(FeatureType, 'cdk-mlops.FeatureType');

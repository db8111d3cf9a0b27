import { CollectedArtifact, DataSourceKind } from '../../pipeline/artifacts';
import { isA } from '../../pipeline/brand';
import { Code } from '../../pipeline/code';
import { ContainerStep } from '../../pipeline/steps/container-step';
import { PipelineGraph } from '../../pipeline/graph';
import { sourceHandler } from '../../pipeline/handlers';
import { CachePolicy } from '../../pipeline/policies';
import { Step } from '../../pipeline/step';
import { ENGINE } from './checks';
import { isMetrics } from './collected';
import { Json } from './json';
import { CacheKeys, maxAge } from './memoize';
import { ArgoCompileOptions, ArgoVersion } from './options';
import { ARGO_SOURCES, ArgoInput } from './sources';
import { codeVolumeName, MEMO_PARAMETER } from './paths';

/** What later steps collect from a forEach step: ports by name, and whether its metrics. */
export interface Collected {
  readonly ports: ReadonlySet<string>;
  readonly metrics: boolean;
}

/**
 * The state of one compilation that step handlers and source resolvers share: the model, the
 * options, the problems found so far (each naming its step), and what the workflow spec must
 * hold for the templates (code volumes, the memoize cache).
 */
export class ArgoCompilation {
  public readonly problems: string[] = [];
  public readonly cacheKeys: CacheKeys;
  private readonly configMaps = new Set<string>();
  private readonly volumes = new Map<string, string>();
  private memoized = false;
  private collectedBy?: Map<Step, { ports: Set<string>; metrics: boolean }>;

  constructor(
    public readonly pipelineName: string,
    public readonly graph: PipelineGraph,
    public readonly options: ArgoCompileOptions,
    public readonly memoizeCache: string,
  ) {
    this.cacheKeys = new CacheKeys(graph, (step) => this.imageOf(step));
  }

  public imageOf(step: ContainerStep): string | undefined {
    return step.image ?? this.options.defaultImage;
  }

  /** The image of fail and register-model steps, or undefined after a problem. */
  public utilityImage(step: Step, needs: string): string | undefined {
    const image = this.options.utilityImage ?? this.options.defaultImage;
    if (image === undefined) {
      this.problems.push(`step '${step.name}': a ${step.kind} step runs as a small container on ${ENGINE} and needs an image with ${needs}; set the engine's utilityImage or defaultImage`);
    }
    return image;
  }

  /** The volume a template mounts `code` from; the workflow spec gets one per ConfigMap. */
  public codeVolume(code: Code): string {
    // A bad codeConfigMapName option is reported with the options; compile on without it.
    const configMap = typeof this.options.codeConfigMapName === 'function' ? this.options.codeConfigMapName(code) : '';
    this.configMaps.add(configMap);
    let volume = this.volumes.get(configMap);
    if (volume === undefined) {
      volume = codeVolumeName(configMap);
      this.volumes.set(configMap, volume);
    }
    return volume;
  }

  /** The code ConfigMaps the templates mount, sorted. */
  public get codeConfigMaps(): string[] {
    return [...this.configMaps].sort();
  }

  /** A template's memoize field for a cached step; the key's stem comes in as the template's MEMO_PARAMETER. */
  public memoize(step: ContainerStep, cache: CachePolicy): Json {
    this.memoized = true;
    return {
      key: this.cacheKeys.memoizeKey(step, `{{inputs.parameters.${MEMO_PARAMETER}}}`),
      maxAge: maxAge(cache.expireAfterHours),
      // Argo reads only the name; v3.7's CRD requires a key (a ConfigMapKeySelector), v4's has none.
      cache: { configMap: this.options.argoVersion === ArgoVersion.V3_7 ? { name: this.memoizeCache, key: 'entries' } : { name: this.memoizeCache } },
    };
  }

  public get usesMemoize(): boolean {
    return this.memoized;
  }

  /**
   * Every input of `step` resolved through ARGO_SOURCES, in declaration order; an input whose
   * source kind has no resolver, or that its resolver refuses, is a problem and left out.
   */
  public inputs(step: Step): [string, ArgoInput][] {
    const resolved: [string, ArgoInput][] = [];
    for (const [name, source] of Object.entries(step.inputs())) {
      const input = sourceHandler(ARGO_SOURCES, step, name, source, ENGINE, this.problems)?.resolve(this, step, name, source);
      if (input !== undefined) {
        resolved.push([name, input]);
      }
    }
    return resolved;
  }

  /** What the pipeline's steps collect from `producer`. */
  public collected(producer: Step): Collected {
    if (this.collectedBy === undefined) {
      this.collectedBy = new Map();
      for (const node of this.graph.nodes) {
        for (const source of Object.values(node.step.inputs())) {
          if (source.sourceKind !== DataSourceKind.COLLECTED_OUTPUT || !isA(source, CollectedArtifact)) {
            continue;
          }
          const entry = this.collectedBy.get(source.step) ?? { ports: new Set<string>(), metrics: false };
          if (isMetrics(source)) {
            entry.metrics = true;
          } else {
            entry.ports.add(source.name);
          }
          this.collectedBy.set(source.step, entry);
        }
      }
    }
    return this.collectedBy.get(producer) ?? { ports: new Set(), metrics: false };
  }
}

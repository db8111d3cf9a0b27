import { Code } from '../pipeline/code';
import { ContainerStep } from '../pipeline/steps/container-step';
import { MODEL_DIR_VAR } from '../pipeline/contract';
import { outputVariable } from '../runtime/launch';
import { codeFingerprint, jsonFingerprint } from './fingerprint';
import { PlannedStep } from './planned';

export interface CacheKey {
  readonly key: string;
  /** What went into the key, kept in the cache entry to explain misses. */
  readonly material: object;
}

/**
 * Cache keys: a hash over the step's definition (kind, entry, arguments, env, image, declared
 * outputs and metrics, forEach item, pipeline and step name, which the script can see), its code's
 * content (Code.files(), so Code's exclude counts), its inputs' content, and the values of the
 * params it reads. Parameters the step does not read, resources, retry and timeout do not count.
 */
export class CacheKeys {
  private readonly codeFingerprints = new Map<string, string>();

  /** With a data interval, results are kept per interval (a backfilled day never reuses another's). */
  constructor(private readonly pipeline: string, private readonly dataInterval?: { readonly start: string; readonly end: string }) {}

  /** `inputs` maps each input name to its content fingerprint (one per item for a collection). */
  public keyOf(step: PlannedStep, container: ContainerStep, item: string | undefined, inputs: { [name: string]: string | { [part: string]: string } }): CacheKey {
    const ports = container.outputPorts();
    const material = {
      cache: 'mlops-local-cache/1',
      pipeline: this.pipeline,
      step: step.name,
      kind: step.kind,
      entry: container.entry,
      arguments: container.arguments,
      env: container.env,
      image: container.image,
      // A training step's model is implied by its kind (keys stay what they were before ports).
      outputs: Object.keys(ports).filter((port) => outputVariable(container, port, ports[port]) !== MODEL_DIR_VAR),
      metrics: container.metricTypes(),
      item,
      code: this.codeOf(container.code),
      inputs,
      params: step.params,
      ...(this.dataInterval ? { dataInterval: this.dataInterval } : {}),
    };
    return { key: jsonFingerprint(material), material };
  }

  /** Hashed once per run: steps sharing a code directory share the work. */
  private codeOf(code: Code): string {
    const id = `${code.directory}\0${code.exclude.join('\0')}`;
    let fingerprint = this.codeFingerprints.get(id);
    if (fingerprint === undefined) {
      fingerprint = codeFingerprint(code);
      this.codeFingerprints.set(id, fingerprint);
    }
    return fingerprint;
  }
}

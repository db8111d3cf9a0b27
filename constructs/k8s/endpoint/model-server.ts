import { Duration } from 'cdk8s';
import { brand, isA } from '../../../lib/pipeline/brand';
import { show } from '../../../lib/pipeline/errors';

/** What serves the model and moves its traffic. */
export enum ModelServerKind {
  ARGO_ROLLOUTS = 'argo-rollouts',
  KSERVE = 'kserve',
}

export interface ArgoRolloutsServerOptions {
  /**
   * The Prometheus the analysis queries (the Argo Rollouts controller calls it, not the pods).
   * @default 'http://prometheus-operated.monitoring.svc:9090' (the Service the Prometheus Operator makes in 'monitoring')
   */
  readonly prometheusAddress?: string;
  /** How often each metric is measured (whole seconds, ≥ 10 s). The rate window is twice this. @default Duration.minutes(1) */
  readonly interval?: Duration;
  /** Failed measurements tolerated per metric; one more aborts the update (≥ 0). @default 2 */
  readonly failureLimit?: number;
  /** Wait before the first measurement, so the canary has served and been scraped. @default Duration.minutes(1) */
  readonly initialDelay?: Duration;
}

export interface KServeServerOptions {
  /** Namespace of the Knative ingress gateway that sends requests to the predictor pods. @default 'istio-system' */
  readonly ingressNamespace?: string;
  /** Namespace of Knative Serving (its activator sends requests to the pods). @default 'knative-serving' */
  readonly knativeNamespace?: string;
}

/**
 * Who runs the endpoint: Argo Rollouts (a Rollout with metric-driven, automatic rollback; the
 * default) or KServe (an InferenceService with a canary traffic percent, promoted and rolled back
 * by hand).
 */
export class ModelServer {
  /** True for a ModelServer from any copy of cdk-mlops. */
  public static isModelServer(x: unknown): x is ModelServer {
    return isA(x, ModelServer);
  }

  /** An Argo Rollouts Rollout whose canary is analysed with Prometheus queries and aborted on a breach. */
  public static argoRollouts(options: ArgoRolloutsServerOptions = {}): ModelServer {
    return new ModelServer(ModelServerKind.ARGO_ROLLOUTS, { ...options }, {});
  }

  /** A KServe InferenceService (Serverless mode) with canaryTrafficPercent. */
  public static kserve(options: KServeServerOptions = {}): ModelServer {
    return new ModelServer(ModelServerKind.KSERVE, {}, { ...options });
  }

  private constructor(
    public readonly kind: ModelServerKind,
    private readonly argo: ArgoRolloutsServerOptions,
    private readonly kserveOptions: KServeServerOptions,
  ) {}

  /** @internal */
  public get _prometheusAddress(): string {
    return this.argo.prometheusAddress ?? 'http://prometheus-operated.monitoring.svc:9090';
  }

  /** @internal Seconds between measurements. */
  public get _intervalSeconds(): number {
    return (this.argo.interval ?? Duration.minutes(1)).toMilliseconds() / 1000;
  }

  /** @internal */
  public get _initialDelaySeconds(): number {
    return (this.argo.initialDelay ?? Duration.minutes(1)).toMilliseconds() / 1000;
  }

  /** @internal */
  public get _failureLimit(): number {
    return this.argo.failureLimit ?? 2;
  }

  /** @internal */
  public get _ingressNamespace(): string {
    return this.kserveOptions.ingressNamespace ?? 'istio-system';
  }

  /** @internal */
  public get _knativeNamespace(): string {
    return this.kserveOptions.knativeNamespace ?? 'knative-serving';
  }

  /** @internal What is wrong with the server's options. */
  public _problems(): string[] {
    const problems: string[] = [];
    if (this.kind === ModelServerKind.ARGO_ROLLOUTS) {
      const address = this._prometheusAddress;
      if (typeof address !== 'string' || !/^https?:\/\/[^/\s:]+(:\d{1,5})?(\/\S*)?$/.test(address)) {
        problems.push(`ModelServer.argoRollouts prometheusAddress ${show(address)} is not an http(s) URL with a host, which Argo Rollouts requires; e.g. 'http://prometheus.monitoring:9090'`);
      }
      const interval = this._intervalSeconds;
      if (!(Number.isInteger(interval) && interval >= 10)) {
        problems.push(`ModelServer.argoRollouts interval is ${interval} s, but it must be whole seconds ≥ 10 s (Prometheus scrapes every 30 s); e.g. Duration.minutes(1)`);
      }
      const delay = this._initialDelaySeconds;
      if (!Number.isInteger(delay)) {
        problems.push(`ModelServer.argoRollouts initialDelay is ${delay} s, but it must be whole seconds; e.g. Duration.minutes(1)`);
      }
      const limit = this._failureLimit;
      if (!(Number.isInteger(limit) && limit >= 0)) {
        problems.push(`ModelServer.argoRollouts failureLimit is ${show(limit)}, but it must be a whole number ≥ 0; e.g. 2`);
      }
    }
    return problems;
  }
}

brand(ModelServer, 'cdk-mlops.k8s.ModelServer');

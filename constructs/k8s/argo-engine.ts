import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { ArgoVersion, compileArgo, PIPELINE_LABEL } from '../../lib/compile/argo';
import { paramText } from '../../lib/pipeline/contract';
import { Scalar } from '../../lib/pipeline/values';
import { ArgoEngineOptions } from './argo-engine-options';
import { EngineContext, engineImageWarnings, EngineKind, EngineRenderer, EngineRendering, RunTarget } from './engine-renderer';
import { shortHash } from './names';
import { EgressRule } from './network';


/** Argo Workflows rendering: the compiled WorkflowTemplate, CronWorkflow and memoize cache. @internal */
export class ArgoEngine implements EngineRenderer {
  public readonly kind = EngineKind.ARGO;

  constructor(private readonly options: ArgoEngineOptions) {}

  public namespace(): string | undefined {
    return this.options.controller?.namespace;
  }

  public render(ctx: EngineContext): EngineRendering {
    const o = this.options;
    const docs = compileArgo(ctx.pipeline, {
      name: ctx.name,
      namespace: ctx.namespace,
      argoVersion: o.version ?? o.controller?.argoVersion ?? ArgoVersion.V4,
      defaultImage: o.defaultImage,
      utilityImage: o.utilityImage,
      codeConfigMapName: ctx.codeConfigMapName,
      serviceAccountName: ctx.serviceAccountName,
      schedule: ctx.schedule,
      gpu: o.gpu,
      defaultResources: o.defaultResources,
      podUser: o.podUser,
      memoizeCacheName: `${ctx.name}-memo`,
      artifactRepositoryRef: o.artifactRepositoryRef,
      artifactRepositoryBucket: o.artifactRepositoryBucket ?? (o.artifactRepositoryRef ? undefined : o.controller?.artifactRepository.bucket),
      modelRegistryPrefix: o.modelRegistryPrefix,
      labels: { ...ctx.labels, ...ctx.extraStepPodLabels },
      trackingUri: ctx.trackingUri,
      endpointHandOffs: ctx.endpointHandOffs,
    });
    const store = this.artifactStore();
    const objects: ApiObject[] = [new ApiObject(ctx.scope, 'WorkflowTemplate', docs.workflowTemplate as any)];
    if (docs.cronWorkflow) {
      objects.push(new ApiObject(ctx.scope, 'CronWorkflow', docs.cronWorkflow as any));
    }
    if (docs.memoizeCache) {
      // The controller writes cache entries into `data`; this manifest owns only the labels, so
      // re-applying it keeps the entries.
      objects.push(new k8s.KubeConfigMap(ctx.scope, 'MemoizeCache', {
        metadata: { name: docs.memoizeCache, namespace: ctx.namespace, labels: { ...ctx.labels, 'workflows.argoproj.io/configmap-type': 'Cache' } },
      }));
    }
    return {
      objects,
      // Argo's executor (the wait container) reports outputs as WorkflowTaskResults (Argo >= 3.4).
      stepRules: [{ apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] }],
      stepPodLabels: { [PIPELINE_LABEL]: ctx.name },
      stepEgress: store ? [store] : [],
      warnings: engineImageWarnings(ctx.pipeline, 'Engine.argo', o),
      egressWarnings: store ? [] : [this.noStoreWarning(ctx)],
      runTarget: (parameters) => this.runTarget(ctx, shortHash(JSON.stringify(docs.workflowTemplate)), parameters),
    };
  }

  private artifactStore(): EgressRule | undefined {
    const o = this.options;
    if (o.artifactStore) {
      return { to: o.artifactStore, askedBy: 'Engine.argo option artifactStore' };
    }
    const repository = o.controller?.artifactRepository.network;
    return repository ? { to: repository, askedBy: `the ArtifactRepository of ArgoWorkflows '${o.controller!.node.id}' (network)` } : undefined;
  }

  private noStoreWarning(ctx: EngineContext): string {
    const where = this.options.controller
      ? `the artifact repository of ArgoWorkflows '${this.options.controller.node.id}' (${this.options.controller.artifactRepository.endpoint}) is outside the cluster and names no network`
      : 'no controller and no artifactStore name the artifact store';
    return `NetworkPolicy '${ctx.name}-steps-allow' allows no egress to the artifact store: ${where}, so step pods cannot read or write artifacts where the cluster enforces NetworkPolicies; give its address with Engine.argo({ artifactStore: NetworkEndpoint.ipBlock('<cidr>', [443]) }) (or ArtifactRepository.s3({ network })), or ask for NetworkEndpoint.anywhere([443]) by name`;
  }

  /**
   * A run is a Workflow that references the WorkflowTemplate, created through the Kubernetes API,
   * as the CronWorkflow does: the controller reads the template, so the run job may only create
   * workflows.
   */
  private runTarget(ctx: EngineContext, fingerprint: string, parameters: { [name: string]: Scalar }): RunTarget {
    const args = Object.entries(parameters).map(([name, value]) => ({ name, value: paramText(value) }));
    const problems = args
      .filter((a) => a.value.includes('{{'))
      .map((a) => `parameter '${a.name}' ${JSON.stringify(a.value)} contains '{{', which Argo Workflows reads as a template variable and cannot pass through literally; remove the double brace`);
    return {
      engineName: 'Argo Workflows',
      problems,
      fingerprint,
      config: {
        workflow: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Workflow',
          metadata: { namespace: ctx.namespace, labels: { ...ctx.labels } },
          spec: { workflowTemplateRef: { name: ctx.name }, ...(args.length > 0 ? { arguments: { parameters: args } } : {}) },
        },
      },
      rules: [{ apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: ['create'] }],
      // The pod reaches the API server by the address in KUBERNETES_SERVICE_HOST: no DNS.
      egress: ctx.apiServer ? [ctx.apiServer] : [],
      image: this.options.utilityImage ?? this.options.defaultImage,
      runAsUser: this.options.podUser?.runAsUser ?? 1000,
    };
  }
}

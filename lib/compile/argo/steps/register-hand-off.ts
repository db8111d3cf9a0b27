import { EndpointHandOff, handOffArguments, handOffScript } from '../../../kubernetes/endpoint-hand-off';
import { RegisterModelStep } from '../../../pipeline/steps/register-model-step';
import type { ArgoCompilation } from '../compilation';
import { Json } from '../json';
import { TMP_DIR, TMP_VOLUME } from '../paths';
import { UTILITY_RESOURCES } from '../resources';
import { containerSecurityContext } from '../security';
import { STEP_LABEL } from '../step-templates';
import { ArgoStep } from './handler';

export interface RegisterWithHandOffs {
  /** The step's own template name, which its DAG task runs. */
  readonly own: string;
  /** The register container's compilation (its template named `<own>-register`). */
  readonly register: ArgoStep;
  /** The version's key prefix in the artifact repository, with the version placeholder. */
  readonly prefix: string;
  readonly hasModelArgument: boolean;
  readonly handOffs: EndpointHandOff[];
}

/**
 * A register step that hands its version to endpoints: its task runs a DAG template whose first
 * task is the register container and whose next tasks, one per endpoint, each run the hand-off
 * once the register task succeeded (Argo uploads the model when the register container exits, so
 * the endpoint never points at a model that is not stored yet). The DAG template outputs the
 * register task's version, as the plain register step does.
 */
export function withHandOffs(c: ArgoCompilation, step: RegisterModelStep, r: RegisterWithHandOffs): ArgoStep | undefined {
  const bucket = c.options.artifactRepositoryBucket;
  if (bucket === undefined) {
    c.problems.push(`step '${step.name}': hands its model to CanaryEndpoint '${r.handOffs[0].target.endpoint}', which needs the model's s3:// URI, but the bucket of the artifact repository is unknown; give Engine.argo({ controller }) an ArgoWorkflows with an ArtifactRepository, or set Engine.argo({ artifactRepositoryBucket })`);
    return undefined;
  }
  const image = c.utilityImage(step, 'python3 (the endpoint hand-off is a Python script)');
  const [container] = r.register.templates;
  const registerTask = 'register';
  const version = `{{tasks.${registerTask}.outputs.parameters.version}}`;
  // The key the register container's 'model' output is uploaded to; {{workflow.*}} resolves here too.
  const uri = `s3://${bucket}/${r.prefix}/model`;
  const modelArtifact = (container.inputs.artifacts as Json[])[0];
  const handOffTemplate = (h: EndpointHandOff, index: number): Json => {
    const name = `${r.own}-hand-off-${index + 1}`;
    return {
      name,
      metadata: { labels: { [STEP_LABEL]: name } },
      inputs: { parameters: [{ name: 'uri' }, { name: 'version' }] },
      ...(h.serviceAccountName !== undefined ? { serviceAccountName: h.serviceAccountName } : {}),
      // The patch is idempotent: a retry after a lost connection or an API server restart is safe.
      retryStrategy: { limit: 2, retryPolicy: 'Always', backoff: { duration: '10s', factor: 2 } },
      container: {
        image,
        command: ['python3', '-c', handOffScript()],
        args: [...handOffArguments(h.target), '--uri', '{{inputs.parameters.uri}}', '--version', '{{inputs.parameters.version}}'],
        resources: UTILITY_RESOURCES,
        securityContext: containerSecurityContext(),
        volumeMounts: [{ name: TMP_VOLUME, mountPath: TMP_DIR }],
      },
    };
  };
  const handOffs = r.handOffs.map(handOffTemplate);
  const dag: Json = {
    name: r.own,
    ...(r.hasModelArgument ? { inputs: { artifacts: [{ name: modelArtifact.name }] } } : {}),
    outputs: { parameters: [{ name: 'version', valueFrom: { parameter: version } }] },
    dag: {
      tasks: [
        {
          name: registerTask,
          template: container.name,
          ...(r.hasModelArgument ? { arguments: { artifacts: [{ name: modelArtifact.name, from: `{{inputs.artifacts.${modelArtifact.name}}}` }] } } : {}),
        },
        ...handOffs.map((t, i) => ({
          name: `hand-off-${r.handOffs[i].target.endpoint}`,
          template: t.name,
          depends: `${registerTask}.Succeeded`,
          arguments: { parameters: [{ name: 'uri', value: uri }, { name: 'version', value: version }] },
        })),
      ],
    },
  };
  return { templates: [dag, container, ...handOffs], task: r.register.task };
}

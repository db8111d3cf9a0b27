import { compileArgo } from '../../lib/compile/argo';
import { compileKubeflow } from '../../lib/compile/kubeflow';
import { cpuQuantity, gibQuantity, gpuPlacement, gpuSchedulingProblems, GpuScheduling, labelProblems } from '../../lib/kubernetes';
import { Pipeline, Step } from '../../lib/pipeline';
import { FIXTURE_CODE } from '../conformance/features';

const code = FIXTURE_CODE;
const entry = 'noop.py';

function gpuPipeline(): Pipeline {
  const p = new Pipeline('gpu');
  p.addStep(Step.training('fit', { code, entry, resources: { cpu: 1.5, memoryGiB: 0.75, gpu: 2 } }));
  return p;
}

/** What the two Kubernetes engines make of the same GPU step, side by side. */
function placements(gpu: GpuScheduling | undefined) {
  const argo = compileArgo(gpuPipeline(), { defaultImage: 'py:1', codeConfigMapName: () => 'code', gpu });
  const fit = argo.workflowTemplate.spec.templates.find((t: { name: string }) => t.name === 'fit');
  const kfp = compileKubeflow(gpuPipeline(), { defaultImage: 'py:1', codeConfigMapName: () => 'code', gpu });
  const executor = kfp.pipelineSpec.deploymentSpec.executors['exec-fit'].container;
  const platform = kfp.platformSpec!.platforms.kubernetes.deploymentSpec.executors['exec-fit'];
  return {
    argo: { cpu: fit.container.resources.limits.cpu, memory: fit.container.resources.limits.memory, nodeSelector: fit.nodeSelector, tolerations: fit.tolerations },
    kubeflow: {
      cpu: executor.resources.resourceCpuLimit,
      memory: executor.resources.resourceMemoryLimit,
      accelerator: executor.resources.accelerator,
      nodeSelector: platform.nodeSelector?.labels,
      tolerations: platform.tolerations,
    },
    argoGpuLimit: fit.container.resources.limits,
  };
}

test('Argo and Kubeflow place a GPU step the same way: quantities, node selector, default toleration', () => {
  const { argo, kubeflow, argoGpuLimit } = placements({ nodeSelector: { 'nvidia.com/gpu.present': 'true' } });
  expect(argo).toEqual({
    cpu: '1500m',
    memory: '768Mi',
    nodeSelector: { 'nvidia.com/gpu.present': 'true' },
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
  });
  expect(argoGpuLimit['nvidia.com/gpu']).toBe('2');
  expect(kubeflow).toEqual({
    cpu: argo.cpu,
    memory: argo.memory,
    accelerator: { resourceType: 'nvidia.com/gpu', resourceCount: '2' },
    nodeSelector: argo.nodeSelector,
    tolerations: argo.tolerations,
  });
});

test('requiring node selection refuses a GPU step without a node selector on both engines, with one message', () => {
  const message = "step 'fit': requests 2 GPUs, and the ENGINE options require GPU node selection (gpu.requireNodeSelection) but set no gpu.nodeSelector; set gpu.nodeSelector to the labels of your GPU nodes, e.g. { 'nvidia.com/gpu.present': 'true' }";
  const gpu = { requireNodeSelection: true, tolerations: [{ key: 'gpu', operator: 'Exists' }] };
  expect(() => compileArgo(gpuPipeline(), { defaultImage: 'py:1', codeConfigMapName: () => 'code', gpu })).toThrow(message.replace('ENGINE', 'Argo Workflows'));
  expect(() => compileKubeflow(gpuPipeline(), { defaultImage: 'py:1', codeConfigMapName: () => 'code', gpu })).toThrow(message.replace('ENGINE', 'Kubeflow'));
});

test('gpuPlacement fills defaults and the operator Kubernetes would assume', () => {
  expect(gpuPlacement(undefined)).toEqual({ resourceName: 'nvidia.com/gpu', tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] });
  expect(gpuPlacement({ resourceName: 'amd.com/gpu', tolerations: [{ key: 'dedicated', value: 'ml' }] })).toEqual({
    resourceName: 'amd.com/gpu',
    tolerations: [{ key: 'dedicated', value: 'ml', operator: 'Equal' }],
  });
});

test('quantities: whole units when exact, rounded up otherwise', () => {
  expect([2, 0.5, 1.0005, 0.0001].map(cpuQuantity)).toEqual(['2', '500m', '1001m', '1m']);
  expect([4, 0.5, 1.5, 0.001].map(gibQuantity)).toEqual(['4Gi', '512Mi', '1536Mi', '1049Ki']);
});

test('bad scheduling options and labels are named with what is allowed', () => {
  expect(gpuSchedulingProblems('X option gpu', {
    resourceName: 'gpu',
    nodeSelector: { 'bad key': 'v' },
    tolerations: [{ operator: 'Maybe' }, { operator: 'Exists', value: 'x', effect: 'Sometimes' }],
  })).toEqual([
    "X option gpu.resourceName 'gpu' is not an extended resource name (allowed: <domain>/<name>, e.g. 'nvidia.com/gpu' or 'amd.com/gpu')",
    "X option gpu.nodeSelector entry 'bad key': 'v' is not a valid Kubernetes label selector (keys: [prefix/]name, values: up to 63 letters, digits, '-', '_' or '.')",
    "X option gpu.tolerations[0].operator 'Maybe' is invalid (allowed: Exists, Equal)",
    "X option gpu.tolerations[1].effect 'Sometimes' is invalid (allowed: NoSchedule, PreferNoSchedule, NoExecute, or empty for all)",
    'X option gpu.tolerations[1] has operator Exists and a value; Exists matches any value, so remove the value or use Equal',
  ]);
  expect(labelProblems('X option podLabels', { 'app.kubernetes.io/name': 'ok', 'x': 'no spaces please' })).toEqual([
    "X option podLabels entry 'x': 'no spaces please' is not a valid Kubernetes label (keys: [prefix/]name, values: up to 63 letters, digits, '-', '_' or '.')",
  ]);
});

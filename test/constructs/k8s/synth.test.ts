import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { CanaryEndpointChart } from '../../../examples/canary-endpoint/k8s';
import { IrisArgoChart, IrisKubeflowChart } from '../../../examples/iris/k8s';

jest.spyOn(console, 'warn').mockImplementation(() => undefined);

const ROOT = path.join(__dirname, '..', '..', '..');

test('bin/k8s.ts writes one YAML file per Kubernetes example chart, offline, as the charts synthesize', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-synth-'));
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bin/k8s.ts'], { cwd: ROOT, env: { ...process.env, CDK8S_OUTDIR: out }, encoding: 'utf8', timeout: 60000 });
    // The only output: what KServe does not do for the example's KServe endpoint, and that KFP's
    // platform spec cannot make step pods 'restricted'.
    expect(run.stderr.split('\n').filter((l) => l !== '')).toEqual([
      expect.stringMatching(/^\[WARNING\] \[canary-endpoint\/IrisKServe\] KServe does not roll back on metrics/),
      expect.stringMatching(/^\[WARNING\] \[canary-endpoint\/IrisKServe\] KServe and Knative add containers to the predictor pod/),
      // examples/katib-gated-deploy: its KServe endpoint fed by the pipeline, KFP's pods, and what Katib needs.
      expect.stringMatching(/^\[WARNING\] \[katib-gated-deploy-kubeflow\/TunedIrisEndpoint\] the handed-over model reaches the KServe predictor as MLOPS_MODEL_URI through the downward API/),
      expect.stringMatching(/^\[WARNING\] \[katib-gated-deploy-kubeflow\/TunedIrisEndpoint\] KServe does not roll back on metrics/),
      expect.stringMatching(/^\[WARNING\] \[katib-gated-deploy-kubeflow\/TunedIrisEndpoint\] KServe and Knative add containers to the predictor pod/),
      expect.stringMatching(/^\[WARNING\] \[iris-kubeflow\/Iris\] Kubeflow step pods may not pass Pod Security 'restricted'/),
      expect.stringMatching(/^\[WARNING\] \[katib-gated-deploy-kubeflow\/TunedIris\] Kubeflow step pods may not pass Pod Security 'restricted'/),
      expect.stringMatching(/^\[WARNING\] \[katib-gated-deploy-kubeflow\/TunedIris\] tuning step 'hpo' runs a Katib Experiment/),
      expect.stringMatching(/^\[WARNING\] \[katib-gated-deploy-argo\/TunedIris\] tuning step 'hpo' runs a Katib Experiment/),
    ]);
    expect(run.status).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['canary-endpoint.k8s.yaml', 'feature-snapshots.k8s.yaml', 'feature-store.k8s.yaml', 'iris-argo.k8s.yaml', 'iris-kubeflow.k8s.yaml', 'katib-gated-deploy-argo.k8s.yaml', 'katib-gated-deploy-kubeflow.k8s.yaml']);
    const written = (file: string) => YAML.parseAllDocuments(fs.readFileSync(path.join(out, file), 'utf8')).map((d) => d.toJSON());
    // As bin/k8s.ts builds it: the canary endpoint chart's 'iris' endpoint is fed by this pipeline.
    const app = Testing.app();
    const irisArgo = new IrisArgoChart(app, 'iris-argo');
    new CanaryEndpointChart(app, 'canary-endpoint', { pipeline: irisArgo.pipeline });
    expect(written('iris-argo.k8s.yaml')).toEqual(Testing.synth(irisArgo));
    expect(written('iris-kubeflow.k8s.yaml')).toEqual(Testing.synth(new IrisKubeflowChart(Testing.app(), 'iris-kubeflow')));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

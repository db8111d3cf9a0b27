import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
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
      expect.stringMatching(/^\[WARNING\] \[iris-kubeflow\/Iris\] Kubeflow step pods may not pass Pod Security 'restricted'/),
    ]);
    expect(run.status).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['canary-endpoint.k8s.yaml', 'feature-store.k8s.yaml', 'iris-argo.k8s.yaml', 'iris-kubeflow.k8s.yaml']);
    const written = (file: string) => YAML.parseAllDocuments(fs.readFileSync(path.join(out, file), 'utf8')).map((d) => d.toJSON());
    expect(written('iris-argo.k8s.yaml')).toEqual(Testing.synth(new IrisArgoChart(Testing.app(), 'iris-argo')));
    expect(written('iris-kubeflow.k8s.yaml')).toEqual(Testing.synth(new IrisKubeflowChart(Testing.app(), 'iris-kubeflow')));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

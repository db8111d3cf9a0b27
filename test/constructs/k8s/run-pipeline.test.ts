import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { IrisArgoChart, IrisKubeflowChart } from '../../../examples/iris/k8s';

// Synth warnings are asserted elsewhere (security-properties.test.ts); their stderr copy is noise here.
jest.spyOn(console, 'warn').mockImplementation(() => undefined);

type Json = { [key: string]: any };
type Handler = (method: string, url: URL, body: Json | undefined) => [number, Json];

/**
 * The run job's script (run-pipeline.py, as the ConfigMap ships it) against fake APIs on
 * 127.0.0.1: the Kubernetes API for Argo, KFP's v2beta1 REST API for Kubeflow.
 */
class FakeApi {
  public readonly calls: string[] = [];
  public readonly bodies: Json[] = [];
  public readonly authorization: (string | undefined)[] = [];
  private server!: http.Server;

  constructor(private readonly handler: Handler) {}

  public async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        const url = new URL(req.url!, 'http://fake');
        this.calls.push(`${req.method} ${url.pathname}${url.search}`);
        this.authorization.push(req.headers.authorization);
        const body = text ? JSON.parse(text) : undefined;
        if (body) {
          this.bodies.push(body);
        }
        const [status, json] = this.handler(req.method!, url, body);
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(json));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function runJobFiles(chart: IrisArgoChart | IrisKubeflowChart): { script: string; client: string; config: Json } {
  chart.pipeline.addRunJob('retrain', { parameters: { nEstimators: '300' } });
  const objects: Json[] = Testing.synth(chart);
  const job = objects.find((o) => o.kind === 'Job' && o.metadata.name.startsWith('iris-retrain-'))!;
  const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === job.metadata.name)!;
  return { script: map.data['run-pipeline.py'], client: map.data['mlops_api.py'], config: JSON.parse(map.data['run.json']) };
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-pipeline-'));
  fs.writeFileSync(path.join(dir, 'token'), 'sa-token\n');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(script: string, client: string, config: Json, runName = 'iris-retrain-0123456789'): Promise<{ code: number; output: string }> {
  fs.writeFileSync(path.join(dir, 'run-pipeline.py'), script);
  fs.writeFileSync(path.join(dir, 'mlops_api.py'), client);
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify(config));
  return new Promise((resolve) => {
    const child = spawn('python3', [path.join(dir, 'run-pipeline.py'), path.join(dir, 'run.json')], { env: { ...process.env, MLOPS_RUN_NAME: runName } });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

describe('Argo: a Workflow from the template, through the Kubernetes API', () => {
  const { script, client, config } = runJobFiles(new IrisArgoChart(Testing.app(), 'a'));

  test('creates the Workflow named after the Job, with the template and parameters; a retry finds it and succeeds', async () => {
    const created = new Set<string>();
    const api = new FakeApi((method, url, body) => {
      if (method === 'POST' && url.pathname === '/apis/argoproj.io/v1alpha1/namespaces/ml/workflows') {
        if (created.has(body!.metadata.name)) {
          return [409, { kind: 'Status', reason: 'AlreadyExists' }];
        }
        created.add(body!.metadata.name);
        return [201, body!];
      }
      return [404, {}];
    });
    const base = await api.start();
    try {
      const cfg = { ...config, api: base, tokenPath: path.join(dir, 'token'), retryDelaySeconds: 0.05 };
      const first = await run(script, client, cfg);
      expect(first.code).toBe(0);
      expect(first.output).toContain('submitted workflow iris-retrain-0123456789 from template iris');
      expect(api.bodies[0]).toEqual({ ...config.workflow, metadata: { ...config.workflow.metadata, name: 'iris-retrain-0123456789' } });
      expect(api.bodies[0].spec.arguments.parameters).toEqual([{ name: 'minAccuracy', value: '0.9' }, { name: 'nEstimators', value: '300' }]);
      const again = await run(script, client, cfg);
      expect(again.code).toBe(0);
      expect(again.output).toContain('already exists: submitted before');
      expect(new Set(api.authorization)).toEqual(new Set(['Bearer sa-token']));
    } finally {
      await api.stop();
    }
  });

  test('a refusal (RBAC) stops the job with the API message', async () => {
    const api = new FakeApi(() => [403, { kind: 'Status', message: 'workflows.argoproj.io is forbidden' }]);
    const base = await api.start();
    try {
      const result = await run(script, client, { ...config, api: base, tokenPath: path.join(dir, 'token') });
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('creating the workflow: HTTP 403: {"kind":"Status","message":"workflows.argoproj.io is forbidden"}');
    } finally {
      await api.stop();
    }
  });
});

describe('Kubeflow: a run of the PipelineVersion, through the KFP API', () => {
  const { script, client, config } = runJobFiles(new IrisKubeflowChart(Testing.app(), 'k'));

  function fakeKfp(state: { experiments: Json[]; runs: Json[] }): FakeApi {
    return new FakeApi((method, url, body) => {
      if (method === 'GET' && url.pathname === '/apis/v2beta1/pipelines/names/iris') {
        return [200, { pipeline_id: 'pid-1' }];
      }
      if (method === 'GET' && url.pathname === '/apis/v2beta1/pipelines/pid-1/versions') {
        return [200, { pipeline_versions: [{ pipeline_version_id: 'vid-1', name: config.pipelineVersionName }] }];
      }
      if (method === 'GET' && url.pathname === '/apis/v2beta1/experiments') {
        return [200, { experiments: state.experiments }];
      }
      if (method === 'POST' && url.pathname === '/apis/v2beta1/experiments') {
        const experiment = { ...body, experiment_id: 'eid-1' };
        state.experiments.push(experiment);
        return [200, experiment];
      }
      if (method === 'GET' && url.pathname === '/apis/v2beta1/runs') {
        return [200, { runs: state.runs.filter((r) => r.experiment_id === url.searchParams.get('experiment_id')) }];
      }
      if (method === 'POST' && url.pathname === '/apis/v2beta1/runs') {
        const created = { ...body, run_id: `rid-${state.runs.length + 1}` };
        state.runs.push(created);
        return [200, created];
      }
      return [404, { error: `no route ${method} ${url.pathname}` }];
    });
  }

  test('creates the experiment once and one run per Job name, with the version, typed parameters and the run account', async () => {
    const state = { experiments: [] as Json[], runs: [] as Json[] };
    const api = fakeKfp(state);
    const base = await api.start();
    try {
      const cfg = { ...config, api: base, tokenPath: path.join(dir, 'token'), retryDelaySeconds: 0.05 };
      const first = await run(script, client, cfg);
      expect(first.code).toBe(0);
      expect(state.experiments).toEqual([{ display_name: 'iris', description: 'Runs started by cdk-mlops run jobs', namespace: 'kubeflow', experiment_id: 'eid-1' }]);
      expect(state.runs).toEqual([{
        display_name: 'iris-retrain-0123456789',
        description: "A run of iris by run job 'retrain', submitted by cdk-mlops",
        experiment_id: 'eid-1',
        pipeline_version_reference: { pipeline_id: 'pid-1', pipeline_version_id: 'vid-1' },
        runtime_config: { parameters: { minAccuracy: 0.9, nEstimators: 300 } },
        service_account: 'iris-pipeline',
        run_id: 'rid-1',
      }]);
      const retried = await run(script, client, cfg);
      expect(retried.output).toContain('run iris-retrain-0123456789 already exists: submitted before');
      const next = await run(script, client, cfg, 'iris-retrain-27000000');
      expect(next.code).toBe(0);
      expect(state.experiments).toHaveLength(1);
      expect(state.runs.map((r) => r.display_name)).toEqual(['iris-retrain-0123456789', 'iris-retrain-27000000']);
      expect(api.calls).toContain('GET /apis/v2beta1/pipelines/names/iris?namespace=kubeflow');
      expect(new Set(api.authorization)).toEqual(new Set(['Bearer sa-token']));
    } finally {
      await api.stop();
    }
  });
});

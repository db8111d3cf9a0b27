import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { IrisKubeflowChart } from '../../../examples/iris/k8s';

// Synth warnings are asserted elsewhere (security-properties.test.ts); their stderr copy is noise here.
jest.spyOn(console, 'warn').mockImplementation(() => undefined);

type Json = { [key: string]: any };

/**
 * The recurring-run job's script against a fake KFP v2beta1 REST API on 127.0.0.1: the endpoints
 * and JSON field names it uses (proto names, as KFP's gateway writes them), with the pipeline
 * appearing late, versions on two pages, and existing recurring runs.
 */
class FakeKfp {
  public readonly calls: string[] = [];
  public readonly created: Json[] = [];
  public readonly authorization: (string | undefined)[] = [];
  public recurringRuns: Json[] = [];
  public pipelineMissingFor = 0;
  public forbid = false;
  private server!: http.Server;

  constructor(private readonly versionName: string) {}

  public async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => this.handle(req, body, res));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const url = new URL(req.url!, 'http://fake');
    this.calls.push(`${req.method} ${url.pathname}${url.search}`);
    this.authorization.push(req.headers.authorization);
    const reply = (status: number, json: Json) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    if (this.forbid) {
      return reply(403, { error: 'forbidden', code: 7 });
    }
    if (req.method === 'GET' && url.pathname === '/apis/v2beta1/pipelines/names/iris') {
      if (this.pipelineMissingFor > 0) {
        this.pipelineMissingFor--;
        return reply(404, { error: 'not found' });
      }
      return reply(200, { pipeline_id: 'pid-1', name: 'iris' });
    }
    if (req.method === 'GET' && url.pathname === '/apis/v2beta1/pipelines/pid-1/versions') {
      return url.searchParams.get('page_token')
        ? reply(200, { pipeline_versions: [{ pipeline_version_id: 'vid-2', name: this.versionName }] })
        : reply(200, { pipeline_versions: [{ pipeline_version_id: 'vid-1', name: 'iris-0000000000' }], next_page_token: 'p2' });
    }
    if (req.method === 'GET' && url.pathname === '/apis/v2beta1/recurringruns') {
      return reply(200, { recurringRuns: this.recurringRuns });
    }
    if (req.method === 'DELETE' && url.pathname.startsWith('/apis/v2beta1/recurringruns/')) {
      const id = url.pathname.split('/').pop();
      this.recurringRuns = this.recurringRuns.filter((r) => r.recurring_run_id !== id);
      return reply(200, {});
    }
    if (req.method === 'POST' && url.pathname === '/apis/v2beta1/recurringruns') {
      const run = { ...JSON.parse(body), recurring_run_id: `rr-${this.created.length + 1}` };
      this.created.push(run);
      this.recurringRuns.push(run);
      return reply(200, run);
    }
    return reply(404, { error: `no route ${req.method} ${url.pathname}` });
  }
}

const objects: Json[] = Testing.synth(new IrisKubeflowChart(Testing.app(), 'k'));
const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'iris-schedule')!;
const config = JSON.parse(configMap.data['recurring-run.json']);

let dir: string;
let kfp: FakeKfp;
let api: string;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfp-recurring-'));
  for (const file of ['kfp-recurring-run.py', 'mlops_api.py']) {
    fs.writeFileSync(path.join(dir, file), configMap.data[file]);
  }
  fs.writeFileSync(path.join(dir, 'token'), 'sa-token\n');
  kfp = new FakeKfp(config.pipelineVersionName);
  api = await kfp.start();
});

afterEach(async () => {
  await kfp.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function run(overrides: Json = {}): Promise<{ code: number; output: string }> {
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify({ ...config, api, tokenPath: path.join(dir, 'token'), retryDelaySeconds: 0.05, timeoutSeconds: 20, ...overrides }));
  return new Promise((resolve) => {
    const child = spawn('python3', [path.join(dir, 'kfp-recurring-run.py'), file]);
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

test('creates the recurring run for the version, once the pipeline shows up, with the schedule, parameters and account', async () => {
  kfp.pipelineMissingFor = 2;
  const result = await run();
  expect(result.output).toContain("finding the pipeline: pipeline 'iris' not found; retrying");
  expect(result.code).toBe(0);
  expect(kfp.created).toEqual([{
    display_name: 'iris-schedule',
    description: `Scheduled runs of iris (cron(0 3 * * *)), kept by cdk-mlops [mlops:${config.fingerprint}]`,
    pipeline_version_reference: { pipeline_id: 'pid-1', pipeline_version_id: 'vid-2' },
    runtime_config: { parameters: { minAccuracy: 0.9, nEstimators: 100 } },
    trigger: { cron_schedule: { cron: '0 0 3 * * *' } },
    mode: 'ENABLE',
    max_concurrency: '1',
    no_catchup: true,
    namespace: 'kubeflow',
    service_account: 'iris-pipeline',
    recurring_run_id: 'rr-1',
  }]);
  expect(kfp.calls).toContain('GET /apis/v2beta1/pipelines/names/iris?namespace=kubeflow');
  expect(kfp.calls).toContain('GET /apis/v2beta1/pipelines/pid-1/versions?page_size=100&page_token=p2');
  expect(new Set(kfp.authorization)).toEqual(new Set(['Bearer sa-token']));
});

test('an up-to-date recurring run is left alone; running twice creates nothing new', async () => {
  expect((await run()).code).toBe(0);
  const again = await run();
  expect(again.code).toBe(0);
  expect(again.output).toContain('recurring run rr-1 is up to date');
  expect(kfp.created).toHaveLength(1);
  expect(kfp.calls.filter((c) => c.startsWith('DELETE'))).toEqual([]);
});

test('stale and duplicate recurring runs of the same name are replaced; others are untouched', async () => {
  kfp.recurringRuns = [
    { recurring_run_id: 'old', display_name: 'iris-schedule', description: 'x [mlops:0000000000]', pipeline_version_reference: { pipeline_version_id: 'vid-1' } },
    { recurring_run_id: 'dup', display_name: 'iris-schedule', description: `x [mlops:${config.fingerprint}]`, pipeline_version_reference: { pipeline_version_id: 'vid-1' } },
    { recurring_run_id: 'mine', display_name: 'someone-else', description: '' },
  ];
  const result = await run();
  expect(result.code).toBe(0);
  expect(kfp.calls.filter((c) => c.startsWith('DELETE'))).toEqual(['DELETE /apis/v2beta1/recurringruns/old', 'DELETE /apis/v2beta1/recurringruns/dup']);
  expect(kfp.recurringRuns.map((r) => r.recurring_run_id)).toEqual(['mine', 'rr-1']);
});

test('an authorization error stops the job with the API message', async () => {
  kfp.forbid = true;
  const result = await run();
  expect(result.code).not.toBe(0);
  expect(result.output).toContain('finding the pipeline: HTTP 403: {"error":"forbidden","code":7}');
});

test('gives up with a message when the pipeline never appears', async () => {
  kfp.pipelineMissingFor = 1000;
  const result = await run({ timeoutSeconds: 0.5 });
  expect(result.code).not.toBe(0);
  expect(result.output).toMatch(/finding the pipeline: pipeline 'iris' not found; gave up/);
});

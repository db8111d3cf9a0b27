import { spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { Code, Objective, Pipeline, Range, Step } from '../../lib';
import { katibExperiment, KatibTrialPod, katibTuneArguments } from '../../lib/kubernetes/katib';
import { katibTrialProgram, katibTuneProgram } from '../../lib/kubernetes/katib-programs';

/**
 * katib_tune.py (the tuning step's container) against a fake Kubernetes API on 127.0.0.1, with a
 * real katib_trial.py run as the trial Katib would start: the step serves its inputs to the trial,
 * receives the trial's model, and writes the best trial's outputs; Katib's failure and an RBAC
 * refusal end the step with their messages.
 */

const code = Code.fromDirectory(path.join(__dirname, '..', 'fixtures', 'steps'));
const POD: KatibTrialPod = {
  engine: 'argo', pipelineName: 'tuned', image: 'python:3.12-slim', codeConfigMap: 'code',
  resources: {}, podSecurityContext: {}, containerSecurityContext: {}, podLabels: {},
};

let dir: string;
let server: http.Server;
let api: string;
let handle: (req: http.IncomingMessage, body: string) => { status: number; body: unknown };
const calls: string[] = [];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'katib-tune-'));
  calls.length = 0;
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      calls.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      const answer = handle(req, body);
      res.writeHead(answer.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

function tuneStep() {
  const pipeline = new Pipeline('tuned');
  const data = Step.script('prepare', { code, entry: 'noop.py', outputs: ['data'] });
  const trial = Step.training('trial', { code, entry: 'noop.py', inputs: { data: data.output('data') }, metrics: ['accuracy'] });
  const hpo = Step.tune('hpo', {
    trial, objective: Objective.maximize('accuracy'), maxTrials: 2,
    space: { C: Range.logUniform(0.01, 10), depth: Range.integer(2, 4), kernel: Range.categorical(['rbf', 'linear']) },
  });
  pipeline.addStep(data, hpo);
  pipeline.graph();
  return hpo;
}

function run(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('python3', ['-c', program, ...args], { env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The step's arguments, its files under `dir`, the fake API server's address. */
function stepArguments(): string[] {
  const hpo = tuneStep();
  const { experiment } = katibExperiment(hpo, POD, undefined);
  fs.mkdirSync(path.join(dir, 'inputs', 'data', 'part'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'inputs', 'data', 'part', 'train.csv'), 'x,y\n1,2\n');
  fs.writeFileSync(path.join(dir, 'token'), 'step-token\n');
  return [
    ...katibTuneArguments(hpo, experiment, {
      inputs: [['data', path.join(dir, 'inputs', 'data')]],
      trialEnv: [['MLOPS_PARAM_EXTRA', 'from-the-run']],
      modelDir: path.join(dir, 'out', 'model'),
      parametersDir: path.join(dir, 'out', 'parameters'),
      metricFile: path.join(dir, 'out', 'metric-values', 'accuracy'),
    }),
    '--api-server', api, '--token-file', path.join(dir, 'token'), '--namespace', 'ml',
    '--advertise', '127.0.0.1', '--port', '0', '--poll-seconds', '0.2', '--work-dir', path.join(dir, 'work'),
  ];
}

const EXPERIMENTS = '/apis/kubeflow.org/v1beta1/namespaces/ml/experiments';
// sha256('<run id>/<step>')[:8], the Experiment's name suffix for this run and step.
const NAME = `hpo-${createHash('sha256').update('argo-run-1/hpo').digest('hex').slice(0, 8)}`;

test('success: the trial gets the inputs and hands back its model; the step writes the best trial\'s model, parameters.json and metric', async () => {
  let created: any;
  let trialDone = false;
  let otherStored = false;
  let trialRun: Promise<{ status: number | null; stdout: string; stderr: string }> | undefined;
  const trialName = `${NAME}-x7k2abcd`;
  handle = (req, body) => {
    if (req.method === 'DELETE') {
      return { status: 404, body: { message: 'not found' } };
    }
    if (req.method === 'POST') {
      created = JSON.parse(body);
      // Katib would create a trial pod now: run the real trial program with the pod's environment.
      const container = created.spec.trialTemplate.trialSpec.spec.template.spec.containers[0];
      const env: NodeJS.ProcessEnv = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
      const trialDir = path.join(dir, 'trial');
      fs.mkdirSync(trialDir, { recursive: true });
      const fakeLauncher = path.join(dir, 'fake_launcher.py');
      fs.writeFileSync(fakeLauncher, [
        'import json, os',
        'e = os.environ',
        'os.makedirs(e["MLOPS_MODEL_DIR"], exist_ok=True)',
        'seen = sorted(os.listdir(os.path.join(e["MLOPS_INPUT_DATA"], "part")))',
        'open(os.path.join(e["MLOPS_MODEL_DIR"], "model.txt"), "w").write("C=%s kernel=%s extra=%s inputs=%s" % (e["MLOPS_PARAM_C"], e["MLOPS_PARAM_KERNEL"], e["MLOPS_PARAM_EXTRA"], seen))',
        'os.makedirs(os.path.dirname(e["MLOPS_METRICS_FILE"]), exist_ok=True)',
        'json.dump({"accuracy": 0.93}, open(e["MLOPS_METRICS_FILE"], "w"))',
      ].join('\n'));
      const rebase = (p: string) => p.replace('/mlops/trial', trialDir).replace('/mlops/katib', path.join(dir, 'katib'));
      trialRun = run(katibTrialProgram(), [], {
        ...env,
        MLOPS_PARAM_C: '0.5', MLOPS_PARAM_DEPTH: '3', MLOPS_PARAM_KERNEL: 'rbf',
        MLOPS_INPUT_DATA: rebase(env.MLOPS_INPUT_DATA!), MLOPS_MODEL_DIR: rebase(env.MLOPS_MODEL_DIR!),
        MLOPS_METRICS_FILE: rebase(env.MLOPS_METRICS_FILE!), MLOPS_KATIB_METRICS_FILE: rebase(env.MLOPS_KATIB_METRICS_FILE!),
        MLOPS_TRIAL_LAUNCH: JSON.stringify([fakeLauncher]),
        KATIB_TRIAL_NAME: trialName,
      }).then(async (r) => {
        // A second, worse trial hands back its model too: the step deletes it once it is not the best.
        fs.mkdirSync(path.join(dir, 'other'), { recursive: true });
        fs.writeFileSync(path.join(dir, 'other', 'model.txt'), 'worse');
        const tar = spawnSync('tar', ['-cf', '-', '-C', path.join(dir, 'other'), 'model.txt']).stdout;
        const put = await fetch(`${env.MLOPS_TUNE_SERVER}/models/${NAME}-other123`, { method: 'PUT', headers: { Authorization: `Bearer ${env.MLOPS_TUNE_TOKEN}` }, body: tar });
        otherStored = put.status === 204 && fs.existsSync(path.join(dir, 'work', 'models', `${NAME}-other123`, 'model.txt'));
        trialDone = true;
        return r;
      });
      return { status: 201, body: created };
    }
    if (!trialDone) {
      return { status: 200, body: { ...created, status: { conditions: [{ type: 'Running', status: 'True' }], trialsRunning: 1 } } };
    }
    return {
      status: 200,
      body: {
        ...created,
        status: {
          conditions: [{ type: 'Running', status: 'False' }, { type: 'Succeeded', status: 'True', reason: 'ExperimentMaxTrialsReached' }],
          trialsSucceeded: 2,
          succeededTrialList: [trialName, `${NAME}-other123`],
          currentOptimalTrial: {
            bestTrialName: trialName,
            parameterAssignments: [{ name: 'C', value: '0.5' }, { name: 'depth', value: '3' }, { name: 'kernel', value: 'rbf' }],
            observation: { metrics: [{ name: 'accuracy', latest: '0.93', max: '0.93', min: '0.93' }] },
          },
        },
      },
    };
  };
  const step = await run(katibTuneProgram(), stepArguments(), { MLOPS_RUN_ID: 'argo-run-1' });
  const trial = await trialRun!;
  expect(trial.stderr).toBe('');
  expect(trial.status).toBe(0);
  expect(step.stderr).toBe('');
  expect(step.status).toBe(0);

  expect(created.metadata).toMatchObject({ name: NAME, namespace: 'ml' });
  const env = Object.fromEntries(created.spec.trialTemplate.trialSpec.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
  expect(env.MLOPS_TUNE_SERVER).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(env.MLOPS_TUNE_TOKEN).toMatch(/^[0-9a-f]{48}$/);
  expect([env.MLOPS_RUN_ID, env.MLOPS_PARAM_EXTRA]).toEqual(['argo-run-1', 'from-the-run']);
  expect(calls[0]).toBe(`DELETE ${EXPERIMENTS}/${NAME} Bearer step-token`);
  expect(calls[1]).toBe(`POST ${EXPERIMENTS} Bearer step-token`);

  expect(fs.readFileSync(path.join(dir, 'out', 'model', 'model.txt'), 'utf8')).toBe("C=0.5 kernel=rbf extra=from-the-run inputs=['train.csv']");
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'out', 'parameters', 'parameters.json'), 'utf8'))).toEqual({ C: 0.5, depth: 3, kernel: 'rbf' });
  expect(fs.readFileSync(path.join(dir, 'out', 'metric-values', 'accuracy'), 'utf8')).toBe('0.93');
  // What Katib's File collector (format JSON) reads: one object per line, the value as a string.
  const line = JSON.parse(fs.readFileSync(path.join(dir, 'katib', 'metrics.json'), 'utf8').trim());
  expect(line.accuracy).toBe('0.93');
  expect(line.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  expect(otherStored).toBe(true);
  expect(fs.readdirSync(path.join(dir, 'work', 'models'))).toEqual([trialName]);
  expect(step.stdout).toContain(`[mlops-tune] best trial ${trialName}: accuracy=0.93 with {"C": 0.5, "depth": 3, "kernel": "rbf"}`);
});

test("failure: the step exits 1 with Katib's reason and message", async () => {
  handle = (req, body) => {
    if (req.method === 'DELETE') {
      return { status: 404, body: {} };
    }
    if (req.method === 'POST') {
      return { status: 201, body: JSON.parse(body) };
    }
    return { status: 200, body: { status: { conditions: [{ type: 'Failed', status: 'True', reason: 'ExperimentMaxFailedTrialsReached', message: 'Experiment has failed because max failed count has reached' }] } } };
  };
  const step = await run(katibTuneProgram(), stepArguments(), { MLOPS_RUN_ID: 'argo-run-1' });
  expect(step.stderr).toBe(`[mlops-tune] Experiment ${NAME} failed: ExperimentMaxFailedTrialsReached: Experiment has failed because max failed count has reached\n`);
  expect(step.status).toBe(1);
  expect(fs.existsSync(path.join(dir, 'out', 'model'))).toBe(false);
});

test('403: the step says which permissions its service account lacks and where they come from', async () => {
  handle = (req) => (req.method === 'DELETE'
    ? { status: 404, body: {} }
    : { status: 403, body: { kind: 'Status', message: 'experiments.kubeflow.org is forbidden: User "system:serviceaccount:ml:default" cannot create resource "experiments"' } });
  const step = await run(katibTuneProgram(), stepArguments(), { MLOPS_RUN_ID: 'argo-run-1' });
  expect(step.stderr).toBe(
    `[mlops-tune] POST ${EXPERIMENTS}: 403 Forbidden (experiments.kubeflow.org is forbidden: User "system:serviceaccount:ml:default" cannot create resource "experiments"); ` +
    "the step's service account needs create, get and delete on experiments.kubeflow.org in namespace ml: apply the Role that MlPipeline renders for a pipeline with a tuning step, or grant them to your own account\n",
  );
  expect(step.status).toBe(1);
});

test('a retried step deletes the Experiment of its earlier attempt before creating its own', async () => {
  let deleted = false;
  handle = (req) => {
    if (req.method === 'DELETE') {
      deleted = true;
      return { status: 200, body: {} };
    }
    if (req.method === 'GET' && deleted && calls.filter((c) => c.startsWith('GET')).length === 1) {
      return { status: 200, body: { metadata: { deletionTimestamp: 'now' } } };
    }
    if (req.method === 'GET' && !calls.some((c) => c.startsWith('POST'))) {
      return { status: 404, body: {} };
    }
    return { status: 403, body: { message: 'stop here' } };
  };
  const step = await run(katibTuneProgram(), stepArguments(), { MLOPS_RUN_ID: 'argo-run-1' });
  expect(calls.map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual([
    `DELETE ${EXPERIMENTS}/${NAME}`, `GET ${EXPERIMENTS}/${NAME}`, `GET ${EXPERIMENTS}/${NAME}`, `POST ${EXPERIMENTS}`,
  ]);
  expect(step.stdout).toContain(`deleting Experiment ${NAME} from an earlier attempt`);
  expect(step.status).toBe(1);
});

test('the trial refuses a server that does not know its token, with the reason', async () => {
  handle = () => ({ status: 401, body: { message: 'a trial of this run' } });
  const trial = await run(katibTrialProgram(), [], {
    MLOPS_TUNE_SERVER: api, MLOPS_TUNE_TOKEN: 'wrong', KATIB_TRIAL_NAME: 'hpo-1-x', MLOPS_TRIAL_INPUTS: '["data"]', MLOPS_INPUT_DATA: path.join(dir, 'in'),
  });
  expect(trial.status).toBe(1);
  expect(trial.stderr).toBe(`[mlops-trial] GET ${api}/inputs/data: HTTP 401 Unauthorized ({"message":"a trial of this run"})\n`);
});

test("the step's server: only this run's token, only inputs it has, only models of its own Experiment's trials", async () => {
  let created: any;
  const answers: string[] = [];
  let probed: Promise<void> | undefined;
  handle = (req, body) => {
    if (req.method === 'DELETE') {
      return { status: 404, body: {} };
    }
    if (req.method === 'POST') {
      created = JSON.parse(body);
      const env = Object.fromEntries(created.spec.trialTemplate.trialSpec.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
      const ask = (method: string, url: string, token?: string, data?: string) => fetch(`${env.MLOPS_TUNE_SERVER}${url}`, {
        method, headers: token ? { Authorization: `Bearer ${token}` } : {}, body: data,
      }).then((r) => answers.push(`${method} ${url} ${token === env.MLOPS_TUNE_TOKEN ? 'token' : token ?? 'none'}: ${r.status}`));
      probed = (async () => {
        await ask('GET', '/inputs/data');
        await ask('GET', '/inputs/data', 'guess');
        await ask('GET', '/inputs/data', env.MLOPS_TUNE_TOKEN);
        await ask('GET', '/inputs/other', env.MLOPS_TUNE_TOKEN);
        await ask('PUT', '/models/someone-else-x1', env.MLOPS_TUNE_TOKEN, 'x');
        await ask('PUT', `/models/${NAME}-x1`, env.MLOPS_TUNE_TOKEN, 'not a tar archive');
      })();
      return { status: 201, body: created };
    }
    return answers.length < 6
      ? { status: 200, body: { status: { conditions: [{ type: 'Running', status: 'True' }] } } }
      : { status: 200, body: { status: { conditions: [{ type: 'Failed', status: 'True', reason: 'Done', message: 'probed' }] } } };
  };
  const step = await run(katibTuneProgram(), stepArguments(), { MLOPS_RUN_ID: 'argo-run-1' });
  await probed;
  expect(answers).toEqual([
    'GET /inputs/data none: 401',
    'GET /inputs/data guess: 401',
    'GET /inputs/data token: 200',
    'GET /inputs/other token: 404',
    'PUT /models/someone-else-x1 token: 404',
    `PUT /models/${NAME}-x1 token: 400`,
  ]);
  expect(step.stderr).toBe(`[mlops-tune] Experiment ${NAME} failed: Done: probed\n`);
  expect(fs.readdirSync(path.join(dir, 'work', 'models'))).toEqual([]);
});

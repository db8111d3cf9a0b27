import { execFile } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { handOffArguments, handOffScript, HandOffTarget } from '../../lib/kubernetes/endpoint-hand-off';

/**
 * The hand-off program (lib/runtime/hand_off.py) run exactly as the pipeline pods run it,
 * `python3 -c <program> <args>`, against a fake Kubernetes API server on 127.0.0.1 that this test
 * starts and stops: what it sends, and what it says when the API server refuses.
 */

type Json = { [key: string]: any };

interface Seen { readonly method: string; readonly url: string; readonly headers: http.IncomingHttpHeaders; readonly body: string }
interface Reply { readonly status: number; readonly body: Json }

const ROLLOUT: HandOffTarget = {
  endpoint: 'iris', namespace: 'ml', name: 'iris', apiGroup: 'argoproj.io', apiVersion: 'v1alpha1', resource: 'rollouts',
  annotationsPath: ['spec', 'template', 'metadata', 'annotations'],
};
const OBJECT_PATH = '/apis/argoproj.io/v1alpha1/namespaces/ml/rollouts/iris';
const URI = 's3://mlops/models/iris/20261203-101500-iris-abcde/model';
const VERSION = '20261203-101500-iris-abcde';

let server: http.Server;
let base: string;
let seen: Seen[];
let replies: { [method: string]: Reply };
let tokenFile: string;

beforeAll(async () => {
  tokenFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hand-off-')), 'token');
  fs.writeFileSync(tokenFile, 'test-token\n');
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const reply = replies[req.method!] ?? { status: 405, body: { kind: 'Status', message: 'method not allowed' } };
      res.writeHead(reply.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(path.dirname(tokenFile), { recursive: true, force: true });
});

beforeEach(() => {
  seen = [];
  replies = {};
});

function handOff(): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ['-c', handOffScript(), ...handOffArguments(ROLLOUT), '--uri', URI, '--version', VERSION, '--api-server', base, '--token-file', tokenFile];
  return new Promise((resolve) => {
    execFile('python3', args, { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const rollout = (annotations?: Json): Json => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'iris' }, spec: { template: { metadata: { labels: { app: 'iris' }, ...(annotations ? { annotations } : {}) } } } });
const status = (code: number, reason: string, message: string): Reply => ({ status: code, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code } });

test('GETs the Rollout, then PATCHes its pod-template annotations as a JSON merge patch with the service account token', async () => {
  replies = { GET: { status: 200, body: rollout() }, PATCH: { status: 200, body: rollout({ 'mlops.cdk.io/model-uri': URI }) } };
  const result = await handOff();
  expect(result).toEqual({ code: 0, stderr: '', stdout: `[mlops-hand-off] ${OBJECT_PATH} now serves version ${VERSION} (${URI}); was none\n` });
  expect(seen.map((s) => [s.method, s.url])).toEqual([['GET', OBJECT_PATH], ['PATCH', `${OBJECT_PATH}?fieldManager=mlops-hand-off`]]);
  for (const request of seen) {
    expect(request.headers.authorization).toBe('Bearer test-token');
  }
  const patch = seen[1];
  expect(patch.headers['content-type']).toBe('application/merge-patch+json');
  expect(JSON.parse(patch.body)).toEqual({ spec: { template: { metadata: { annotations: { 'mlops.cdk.io/model-uri': URI, 'mlops.cdk.io/model-version': VERSION } } } } });
});

test('a Rollout that already serves the version is not patched again (a retried step changes nothing)', async () => {
  replies = { GET: { status: 200, body: rollout({ 'mlops.cdk.io/model-uri': URI, 'mlops.cdk.io/model-version': VERSION }) } };
  const result = await handOff();
  expect(result.code).toBe(0);
  expect(result.stdout).toBe(`[mlops-hand-off] ${OBJECT_PATH} already serves version ${VERSION} (${URI})\n`);
  expect(seen.map((s) => s.method)).toEqual(['GET']);
});

test('the previous version is named when a new one replaces it', async () => {
  replies = { GET: { status: 200, body: rollout({ 'mlops.cdk.io/model-uri': 's3://old/model', 'mlops.cdk.io/model-version': 'v-old' }) }, PATCH: { status: 200, body: rollout() } };
  expect((await handOff()).stdout).toContain('; was v-old');
});

test('403: says the account may only get and patch this object, and which RBAC to apply', async () => {
  replies = { GET: status(403, 'Forbidden', 'rollouts.argoproj.io "iris" is forbidden: User "system:serviceaccount:ml:iris-hand-off" cannot get resource "rollouts" in API group "argoproj.io" in the namespace "ml"') };
  const result = await handOff();
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe(`[mlops-hand-off] GET ${OBJECT_PATH}: 403 Forbidden (rollouts.argoproj.io "iris" is forbidden: User "system:serviceaccount:ml:iris-hand-off" cannot get resource "rollouts" in API group "argoproj.io" in the namespace "ml"); ` +
    "the hand-off's service account may only get and patch this one object: apply the Role and RoleBinding the manifest holds for it (names ending in -hand-off)\n");
});

test('403 on the PATCH alone (a Role without patch) fails the step too', async () => {
  replies = { GET: { status: 200, body: rollout() }, PATCH: status(403, 'Forbidden', 'cannot patch resource "rollouts"') };
  const result = await handOff();
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`[mlops-hand-off] PATCH ${OBJECT_PATH}: 403 Forbidden (cannot patch resource "rollouts"); `);
});

test('404: says the endpoint is not deployed', async () => {
  replies = { GET: status(404, 'NotFound', 'rollouts.argoproj.io "iris" not found') };
  const result = await handOff();
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(`[mlops-hand-off] GET ${OBJECT_PATH}: 404 Not Found (rollouts.argoproj.io "iris" not found); the endpoint's object does not exist: apply the endpoint's manifest first (kubectl apply -f ...), then run the pipeline again\n`);
});

test('without a token the step says what the pod lacks', async () => {
  const args = ['-c', handOffScript(), ...handOffArguments(ROLLOUT), '--uri', URI, '--version', VERSION, '--api-server', base, '--token-file', path.join(path.dirname(tokenFile), 'missing')];
  const result = await new Promise<{ code: number; stderr: string }>((resolve) => execFile('python3', args, (error, _out, stderr) => resolve({ code: (error?.code as number) ?? 0, stderr })));
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/^\[mlops-hand-off\] cannot read the service account token .*missing \(No such file or directory\): the pod needs automountServiceAccountToken\n$/);
  expect(seen).toEqual([]);
});

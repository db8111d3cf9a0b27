import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

const SERVE = path.join(__dirname, '..', '..', 'lib', 'runtime', 'serve.py');
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'serve');
const VENV_PYTHON = path.join(__dirname, '..', '..', '.venv', 'bin', 'python');
const HAS_SKLEARN = fs.existsSync(VENV_PYTHON) && spawnSync(VENV_PYTHON, ['-c', 'import sklearn, joblib, numpy']).status === 0;
const MAX_BODY = 6 * 1024 * 1024;

interface Server {
  readonly proc: ChildProcess;
  readonly url: string;
  readonly port: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
}
interface Reply { readonly status: number; readonly type: string | undefined; readonly body: Buffer; readonly text: string }
interface Options { readonly python?: string; readonly modelDir?: string; readonly env?: NodeJS.ProcessEnv }

const started = new Set<ChildProcess>();
afterEach(async () => {
  for (const proc of started) {
    if (proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGKILL');
      await gone;
    }
  }
  started.clear();
});

function serveArgs(fixture: string, modelDir?: string): string[] {
  return [SERVE, '--model-dir', modelDir ?? path.join(FIXTURES, fixture, 'model'), '--code-dir', path.join(FIXTURES, fixture), '--entry', 'inference.py', '--port', '0'];
}

/** Starts serve.py on a free port and resolves once it printed its listening line. */
function start(fixture: string, options: Options = {}): Promise<Server> {
  const proc = spawn(options.python ?? 'python3', serveArgs(fixture, options.modelDir), { env: { PATH: process.env.PATH, ...options.env } });
  started.add(proc);
  let out = '';
  let err = '';
  proc.stderr!.on('data', (chunk) => { err += chunk; });
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n')) {
        const url: string = JSON.parse(line).url;
        resolve({ proc, url, port: Number(new URL(url).port), stdout: () => out, stderr: () => err });
      }
    });
    proc.once('exit', (code) => reject(new Error(`serve.py exited with ${code} before listening:\n${err}`)));
  });
}

function request(url: string, method: string, route: string, headers: { [name: string]: string } = {}, body?: Buffer | string): Promise<Reply> {
  const data = body === undefined ? undefined : Buffer.from(body);
  const all = data === undefined ? headers : { ...headers, 'Content-Length': String(data.length) };
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${route}`, { method, headers: all, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const buffer = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, type: res.headers['content-type'], body: buffer, text: buffer.toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

function invoke(server: Server, body: Buffer | string, contentType?: string, accept?: string): Promise<Reply> {
  const headers: { [name: string]: string } = {};
  if (contentType !== undefined) headers['Content-Type'] = contentType;
  if (accept !== undefined) headers.Accept = accept;
  return request(server.url, 'POST', '/invocations', headers, body);
}

function errorBody(error: string, message: string): string {
  return JSON.stringify({ error, message }).replace(/","/g, '", "').replace(/":"/g, '": "');
}

/** The request line is written after the reply, on another pipe: wait for it. */
async function expectLogged(server: Server, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 500 && !pattern.test(server.stderr()); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(server.stderr()).toMatch(pattern);
}

function exitOf(proc: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve({ code: proc.exitCode, signal: proc.signalCode });
  return new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
}

function connect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port }, () => { socket.destroy(); resolve('connected'); });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? String(error)));
  });
}

/** A float64 .npy file (format 1.0) holding rows. */
function npy(rows: number[][]): Buffer {
  const header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${rows.length}, ${rows[0].length}), }`;
  const padded = header + ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix.writeUInt16LE(padded.length, 8);
  const values = rows.flat();
  const data = Buffer.alloc(values.length * 8);
  values.forEach((value, i) => data.writeDoubleLE(value, i * 8));
  return Buffer.concat([prefix, Buffer.from(padded, 'latin1'), data]);
}

function readNpy(file: Buffer): { descr: string; shape: string; values: bigint[] } {
  expect(file.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
  const length = file.readUInt16LE(8);
  const header = file.subarray(10, 10 + length).toString('latin1');
  const data = file.subarray(10 + length);
  const values = Array.from({ length: data.length / 8 }, (_, i) => data.readBigInt64LE(i * 8));
  return { descr: /'descr': '([^']+)'/.exec(header)![1], shape: /'shape': \(([^)]*)\)/.exec(header)![1], values };
}

describe('pure-Python model with the default input_fn, predict_fn and output_fn', () => {
  let server: Server;
  beforeEach(async () => { server = await start('pure'); });

  test('prints exactly one listening line on stdout, sends the script\'s prints to stderr, answers /ping', async () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.stdout()).toBe(`{"event": "listening", "url": "http://127.0.0.1:${server.port}"}\n`);
    expect(server.stderr()).toContain('loading weights.json\n');
    const ping = await request(server.url, 'GET', '/ping');
    expect(ping.status).toBe(200);
    expect(ping.body.length).toBe(0);
    await expectLogged(server, /^\[mlops-serve\] GET \/ping 200 \d+\.\dms$/m);
  });

  test('CSV in, CSV out: one line per row, one prediction per line (a single row stays a 2-D batch)', async () => {
    const two = await invoke(server, '1,2,3,4\n2,0,1,9\n', 'text/csv', 'text/csv');
    expect([two.status, two.type, two.text]).toEqual([200, 'text/csv', '7.0\n3.0\n']);
    const one = await invoke(server, '1,2,3,4', 'text/csv', 'text/csv');
    expect(one.text).toBe('7.0\n');
    await expectLogged(server, /^\[mlops-serve\] POST \/invocations 200 \d+\.\dms$/m);
  });

  test('JSON in, JSON out', async () => {
    const reply = await invoke(server, '[[1, 2, 3, 4], [0, 0, 0, 1]]', 'application/json', 'application/json');
    expect([reply.status, reply.type, reply.text]).toEqual([200, 'application/json', '[7.0, 0.5]']);
  });

  test.each([
    ['no Accept: application/json, as the container defaults (not the request type)', 'text/csv', undefined, 'application/json', '[7.0]'],
    ['*/*: the default, application/json', 'text/csv', '*/*', 'application/json', '[7.0]'],
    ['text/csv for a JSON request', 'application/json', 'text/csv', 'text/csv', '7.0\n'],
    ['the first supported type of a list', 'application/json', 'text/html, text/csv;q=0.5', 'text/csv', '7.0\n'],
    ['the highest q first', 'text/csv', 'application/json;q=0.2, text/csv', 'text/csv', '7.0\n'],
    ['a text/* wildcard', 'application/json', 'text/*', 'text/csv', '7.0\n'],
    ['parameters on the types', 'application/json; charset=utf-8', 'text/csv; header=absent', 'text/csv', '7.0\n'],
  ])('Accept handling: %s', async (_what, contentType, accept, type, text) => {
    const body = contentType === 'text/csv' ? '1,2,3,4' : '[[1, 2, 3, 4]]';
    const reply = await invoke(server, body, contentType, accept);
    expect([reply.status, reply.type, reply.text]).toEqual([200, type, text]);
  });

  test('a request without Content-Type is read as application/json, as the container does', async () => {
    const reply = await invoke(server, '[[1, 2, 3, 4]]');
    expect([reply.status, reply.text]).toEqual([200, '[7.0]']);
  });

  test('415 for an unsupported Content-Type, listing the supported ones', async () => {
    const reply = await invoke(server, 'hello', 'text/plain', 'application/json');
    expect([reply.status, reply.type]).toEqual([415, 'application/json']);
    expect(reply.text).toBe(errorBody('UnsupportedContentType', "Content-Type 'text/plain' is not supported; send one of application/json, text/csv, application/x-npy, or define input_fn(request_body, content_type) in the inference script"));
  });

  test('406 for an unsupported Accept, listing the supported ones', async () => {
    const reply = await invoke(server, '1,2,3,4', 'text/csv', 'text/html');
    expect(reply.status).toBe(406);
    expect(reply.text).toBe(errorBody('UnsupportedAccept', "Accept 'text/html' is not supported; ask for one of application/json, text/csv, application/x-npy, or define output_fn(prediction, accept) in the inference script"));
  });

  test.each([
    ['a CSV cell that is not a number', 'text/csv', '1,2,x,4', 'ValueError', "decoding the text/csv body raised ValueError: row 1, column 3: 'x' is not a number"],
    ['ragged CSV rows', 'text/csv', '1,2,3,4\n1,2,3', 'ValueError', 'decoding the text/csv body raised ValueError: row 2 has 3 values, row 1 has 4'],
    ['an empty CSV body', 'text/csv', '\n', 'ValueError', 'decoding the text/csv body raised ValueError: the body holds no CSV rows'],
    ['invalid JSON', 'application/json', '[[1, 2', 'JSONDecodeError', "decoding the application/json body raised JSONDecodeError: Expecting ',' delimiter: line 1 column 7 (char 6)"],
  ])('400 for %s, with the reason', async (_what, contentType, body, error, message) => {
    const reply = await invoke(server, body, contentType);
    expect(reply.status).toBe(400);
    expect(reply.text).toBe(errorBody(error, message));
    expect(server.stderr()).not.toContain('Traceback');
  });

  test('400 for a text body that is not UTF-8', async () => {
    const reply = await invoke(server, Buffer.from([0xff, 0xfe, 0x31]), 'text/csv');
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text)).toEqual({ error: 'UnicodeDecodeError', message: expect.stringMatching(/^the text\/csv body is not UTF-8: 'utf-8' codec can't decode byte 0xff in position 0/) });
  });

  test('500 when predict fails: exception type and message in the body, traceback on stderr only', async () => {
    const reply = await invoke(server, '1,2,3', 'text/csv', 'text/csv');
    expect([reply.status, reply.type]).toEqual([500, 'application/json']);
    expect(reply.text).toBe(errorBody('ValueError', 'predict_fn raised ValueError: expected 4 features, got 3'));
    // The reply can arrive before the traceback reaches our end of the pipe.
    await expectLogged(server, /Traceback \(most recent call last\):[\s\S]*pure\/inference\.py", line \d+, in predict[\s\S]*ValueError: expected 4 features, got 3/);
    await expectLogged(server, /^\[mlops-serve\] POST \/invocations 500 \d+\.\dms$/m);
  });

  test('404 for other paths, 405 for the wrong method on a known one', async () => {
    const get = await request(server.url, 'GET', '/predict');
    expect([get.status, get.text]).toEqual([404, errorBody('NotFound', 'no route GET /predict; the server answers GET /ping and POST /invocations')]);
    const post = await request(server.url, 'POST', '/ping/', { 'Content-Type': 'text/csv' }, '1,2,3,4');
    expect(post.status).toBe(404);
    const wrong = await request(server.url, 'GET', '/invocations');
    expect([wrong.status, wrong.text]).toEqual([405, errorBody('MethodNotAllowed', '/invocations answers POST only, not GET')]);
    await expectLogged(server, /^\[mlops-serve\] GET \/predict 404 \d+\.\dms$/m);
  });

  test('413 above the 6 MB InvokeEndpoint limit (6291456 bytes); exactly 6291456 bytes is let through', async () => {
    const over = await invoke(server, Buffer.alloc(MAX_BODY + 1, 0x31), 'text/csv');
    expect(over.status).toBe(413);
    expect(over.text).toBe(errorBody('PayloadTooLarge', 'the request body is 6291457 bytes; a SageMaker real-time endpoint accepts at most 6291456 bytes (6 MB)'));
    const limit = await invoke(server, Buffer.alloc(MAX_BODY, 0x31), 'text/plain');
    expect(limit.status).toBe(415);
  });

  test('binds 127.0.0.1 only: another loopback address of the host is refused', async () => {
    expect(await connect('127.0.0.1', server.port)).toBe('connected');
    expect(await connect('127.0.0.2', server.port)).toBe('ECONNREFUSED');
  });

  test.each(['SIGTERM', 'SIGINT'] as const)('%s stops it cleanly with exit status 0', async (signal) => {
    server.proc.kill(signal);
    expect(await exitOf(server.proc)).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toMatch(/\[mlops-serve\] stopped\n$/);
  });
});

test('SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT sets the answer type when the request has no Accept, as on the endpoint', async () => {
  const server = await start('pure', { env: { SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: 'text/csv' } });
  const reply = await invoke(server, '[[1, 2, 3, 4]]', 'application/json');
  expect([reply.status, reply.type, reply.text]).toEqual([200, 'text/csv', '7.0\n']);
});

describe('custom input_fn, predict_fn and output_fn', () => {
  let server: Server;
  beforeEach(async () => { server = await start('custom'); });

  test('JSON in, JSON out with extra fields', async () => {
    const reply = await invoke(server, '{"id": "req-1", "instances": [[1, 2], [0.5, 0.5]]}', 'application/json');
    expect([reply.status, reply.type]).toEqual([200, 'application/json']);
    expect(reply.text).toBe('{"id": "req-1", "predictions": [30, 10.0], "mean": 20.0, "model": "custom-v1"}');
  });

  test('input_fn raising UnsupportedFormatError is a 415, output_fn raising it a 406', async () => {
    const csv = await invoke(server, '1,2', 'text/csv');
    expect(csv.status).toBe(415);
    expect(csv.text).toBe(errorBody('UnsupportedContentType', "input_fn in the inference script refused Content-Type 'text/csv' (UnsupportedFormatError: text/csv)"));
    const accept = await invoke(server, '{"instances": [[1]]}', 'application/json', 'text/csv');
    expect(accept.status).toBe(406);
    expect(accept.text).toBe(errorBody('UnsupportedAccept', "output_fn in the inference script refused Accept 'text/csv' (UnsupportedFormatError: text/csv)"));
  });

  test('any other input_fn exception is a 400 with the reason', async () => {
    const reply = await invoke(server, '{"rows": []}', 'application/json');
    expect(reply.status).toBe(400);
    expect(reply.text).toBe(errorBody('ValueError', "input_fn raised ValueError: the body needs an 'instances' list"));
  });

  test('a predict_fn exception is a 500 with its type and message; the traceback goes to stderr', async () => {
    const reply = await invoke(server, '{"instances": []}', 'application/json');
    expect(reply.status).toBe(500);
    expect(reply.text).toBe(errorBody('ZeroDivisionError', 'predict_fn raised ZeroDivisionError: division by zero'));
    expect(reply.text).not.toContain('Traceback');
    await expectLogged(server, /custom\/inference\.py", line \d+, in predict_fn[\s\S]*ZeroDivisionError: division by zero/);
  });
});

describe('transform_fn instead of input_fn, predict_fn and output_fn', () => {
  test('gets the raw body and answers with the content type it returns; UnsupportedFormatError is a 415', async () => {
    const server = await start('transform', { modelDir: os.tmpdir() });
    const reply = await invoke(server, 'hello', 'text/plain', 'text/plain');
    expect([reply.status, reply.type, reply.text]).toEqual([200, 'text/plain; charset=utf-8', 'HELLO']);
    const json = await invoke(server, '{}', 'application/json');
    expect(json.status).toBe(415);
    expect(json.text).toBe(errorBody('UnsupportedContentType', "transform_fn in the inference script refused Content-Type 'application/json' (UnsupportedFormatError: application/json)"));
  });

  test('defining transform_fn with input_fn as well exits with status 2, as the container refuses it', () => {
    const code = fs.mkdtempSync(path.join(os.tmpdir(), 'serve-both-'));
    try {
      fs.writeFileSync(path.join(code, 'inference.py'), 'def model_fn(d):\n    return 1\n\ndef input_fn(b, t):\n    return b\n\ndef transform_fn(m, b, t, a):\n    return b\n');
      const run = spawnSync('python3', [SERVE, '--model-dir', code, '--code-dir', code, '--entry', 'inference.py', '--port', '0'], { encoding: 'utf8' });
      expect(run.status).toBe(2);
      expect(run.stderr).toBe('[mlops-serve] inference.py defines transform_fn together with input_fn, predict_fn or output_fn; define either transform_fn or the other three, as the container requires\n');
    } finally {
      fs.rmSync(code, { recursive: true, force: true });
    }
  });
});

describe('start-up failures', () => {
  test('an entry without model_fn exits with status 2, naming the entry and what to define', () => {
    const run = spawnSync('python3', serveArgs('no-model-fn', os.tmpdir()), { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    const entry = path.join(FIXTURES, 'no-model-fn', 'inference.py');
    expect(run.stderr).toBe(`[mlops-serve] inference.py defines no model_fn; define model_fn(model_dir) in ${entry} to load and return the model (the SageMaker scikit-learn container has no default model_fn either)\n`);
  });

  test('a missing model directory exits with status 2', () => {
    const missing = path.join(os.tmpdir(), 'no-such-model-dir-for-serve');
    const run = spawnSync('python3', serveArgs('pure', missing), { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`[mlops-serve] --model-dir '${missing}' does not exist or is not a directory\n`);
  });

  test('a model_fn that raises exits with status 1 and its traceback, and never listens', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'serve-empty-'));
    try {
      const run = spawnSync('python3', serveArgs('pure', empty), { encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`[mlops-serve] model_fn('${empty}') failed:\nTraceback`);
      expect(run.stderr).toMatch(/FileNotFoundError: .*weights\.json/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('without numpy the default decoders use plain lists', () => {
  const env = { PYTHONPATH: path.join(FIXTURES, 'without-numpy'), PYTHONDONTWRITEBYTECODE: '1' };

  test('CSV and JSON still work, and application/x-npy is refused with the reason', async () => {
    const server = await start('pure', { env });
    expect((await invoke(server, '1,2,3,4\n2,0,1,9', 'text/csv', 'text/csv')).text).toBe('7.0\n3.0\n');
    expect((await invoke(server, '[[1, 2, 3, 4], [0, 0, 0, 1]]', 'application/json')).text).toBe('[7.0, 0.5]');
    const reply = await invoke(server, npy([[1, 2, 3, 4]]), 'application/x-npy');
    expect(reply.status).toBe(415);
    expect(reply.text).toBe(errorBody('UnsupportedContentType', "Content-Type 'application/x-npy' is not supported; send one of application/json, text/csv (application/x-npy needs numpy, which this Python cannot import), or define input_fn(request_body, content_type) in the inference script"));
  });
});

const sklearnReason = HAS_SKLEARN ? '' : ' (skipped: no .venv/bin/python with scikit-learn, joblib and numpy in the repository root)';
(HAS_SKLEARN ? describe : describe.skip)(`scikit-learn Iris LogisticRegression saved with joblib${sklearnReason}`, () => {
  const SETOSA = [5.1, 3.5, 1.4, 0.2];
  const VIRGINICA = [6.3, 3.3, 6.0, 2.5];
  let modelDir: string;
  let server: Server;
  beforeAll(() => {
    modelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serve-iris-'));
    const train = spawnSync(VENV_PYTHON, [path.join(FIXTURES, 'sklearn', 'train.py'), modelDir], { encoding: 'utf8' });
    expect(train.stderr).toBe('');
    expect(fs.existsSync(path.join(modelDir, 'model.joblib'))).toBe(true);
  });
  afterAll(() => fs.rmSync(modelDir, { recursive: true, force: true }));
  beforeEach(async () => { server = await start('sklearn', { python: VENV_PYTHON, modelDir }); });

  test('CSV in, CSV out: the setosa row is class 0, the virginica row class 2', async () => {
    const reply = await invoke(server, `${SETOSA.join(',')}\n${VIRGINICA.join(',')}\n`, 'text/csv', 'text/csv');
    expect([reply.status, reply.type, reply.text]).toEqual([200, 'text/csv', '0\n2\n']);
  });

  test('JSON in, JSON out', async () => {
    const reply = await invoke(server, JSON.stringify([SETOSA]), 'application/json', 'application/json');
    expect([reply.status, reply.text]).toEqual([200, '[0]']);
  });

  test('NPY in, NPY out', async () => {
    const reply = await invoke(server, npy([SETOSA, VIRGINICA]), 'application/x-npy', 'application/x-npy');
    expect([reply.status, reply.type]).toEqual([200, 'application/x-npy']);
    expect(readNpy(reply.body)).toEqual({ descr: '<i8', shape: '2,', values: [0n, 2n] });
  });

  test('a row with the wrong number of features is a 500 naming scikit-learn\'s error', async () => {
    const reply = await invoke(server, '5.1,3.5,1.4', 'text/csv');
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.text)).toEqual({ error: 'ValueError', message: expect.stringMatching(/^predict_fn raised ValueError: X has 3 features, but LogisticRegression is expecting 4 features/) });
  });
});

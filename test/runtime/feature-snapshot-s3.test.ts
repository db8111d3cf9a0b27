import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { LAUNCHER_PATH } from '../../lib/runtime/paths';
import { tempDir } from '../support/local/fixtures';
import { MotoServer, startMoto } from '../support/local/moto';

const COMMIT_CODE = path.join(__dirname, '..', '..', 'lib', 'runtime', 'snapshot-commit');
let moto: MotoServer;
let tmp: ReturnType<typeof tempDir>;
beforeAll(async () => (moto = await startMoto()), 60_000);
afterAll(async () => moto.stop());
beforeEach(() => (tmp = tempDir('snapshot-s3')));
afterEach(() => tmp.cleanup());

const aws = () => ({ PATH: process.env.PATH, AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1' });
/** Runs Python (the system python3, which has boto3) with the fake AWS in its environment. */
const python = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync('python3', args, { env: { ...aws(), ...env }, encoding: 'utf8' });

function commit(partition: string, rows: string) {
  const data = path.join(tmp.dir, `data-${partition}`);
  fs.mkdirSync(data, { recursive: true });
  fs.writeFileSync(path.join(data, `customers-${partition}.csv`), rows);
  return python([LAUNCHER_PATH, '--entry', 'commit.py', '--code', COMMIT_CODE], {
    MLOPS_ENGINE: 'sagemaker', MLOPS_INPUT_DATA: data, MLOPS_PARAM_TABLE: 'customers', MLOPS_PARAM_PARTITION: partition,
    MLOPS_PARAM_STORE: 's3://snapshots/fs/', MLOPS_OUTPUT_COMMIT: path.join(tmp.dir, `out-${partition}`),
  });
}

test('the commit step writes versions to an s3:// store; the launcher reads one version from a download of the table folder', () => {
  expect(python(['-c', 'import boto3; boto3.client("s3").create_bucket(Bucket="snapshots")']).status).toBe(0);
  for (const [partition, rows] of [['h0', 'a\n1\n'], ['h1', 'a\n2\n'], ['h1', 'a\n3\n']]) {
    const run = commit(partition, rows);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  }
  // What SageMaker does for an S3Prefix input: download every object under the table's folder.
  const download = path.join(tmp.dir, 'features');
  const listed = python(['-c', [
    'import boto3, os, sys',
    's3 = boto3.client("s3")',
    'keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="snapshots", Prefix="fs/customers/")["Contents"])',
    'for k in keys:',
    '    target = os.path.join(sys.argv[1], k[len("fs/customers/"):])',
    '    os.makedirs(os.path.dirname(target), exist_ok=True)',
    '    s3.download_file("snapshots", k, target)',
    '    print(k)',
  ].join('\n'), download]);
  expect(listed.stdout.trim().split('\n')).toEqual([
    'fs/customers/LATEST',
    'fs/customers/partitions/h0/v000001/customers-h0.csv',
    'fs/customers/partitions/h1/v000002/customers-h1.csv',
    'fs/customers/partitions/h1/v000003/customers-h1.csv',
    'fs/customers/versions/v000001.json',
    'fs/customers/versions/v000002.json',
    'fs/customers/versions/v000003.json',
  ]);
  const code = path.join(tmp.dir, 'code');
  fs.mkdirSync(code);
  fs.writeFileSync(path.join(code, 'cat.py'), 'import glob, os\nfor f in sorted(glob.glob(os.environ["MLOPS_INPUT_FEATURES"] + "/*/*.csv")): print(os.path.relpath(f, os.environ["MLOPS_INPUT_FEATURES"]), open(f).read().split()[1])\n');
  const read = (version: string) => python([LAUNCHER_PATH, '--entry', 'cat.py', '--code', code, '--feature-snapshot', 'features=customers'], { MLOPS_INPUT_FEATURES: download, MLOPS_SNAPSHOT_VERSION_FEATURES: version }).stdout;
  // The retried hour h1 replaced its rows: version 3 holds h0 once and the newest h1 once.
  expect(read('latest')).toBe('h0/customers-h0.csv 1\nh1/customers-h1.csv 3\n');
  expect(read('v000002')).toBe('h0/customers-h0.csv 1\nh1/customers-h1.csv 2\n');
  expect(JSON.parse(fs.readFileSync(path.join(tmp.dir, 'out-h1', 'commit.json'), 'utf8'))).toEqual({ table: 'customers', version: 'v000003', partition: 'h1', files: 1 });
}, 120_000);

/**
 * What every task of the 'sagemaker' and 'kubernetes' executors' DAG files receives when the file
 * is parsed (exec_dag.py on the stub Airflow records each operator's keyword arguments), for the
 * iris examples and every conformance feature (operator-kwargs.cases.ts). The .before.json file
 * holds what the compiler gave when each operator's arguments were written out as literals; the
 * JOBS table and its helpers must give exactly the same. One entry was changed on purpose since:
 * the kubernetes files of the fail-step feature (no pod task) did not execute before (NameError:
 * the k8s models were used by the constants but not imported); they now record the fail task.
 */
import * as fs from 'fs';
import * as path from 'path';
import { compileAirflow } from '../../../lib/compile/airflow';
import { OPTIONS, operatorKwargs, PIPELINES } from './operator-kwargs.cases';

const BEFORE = JSON.parse(fs.readFileSync(path.join(__dirname, 'operator-kwargs.before.json'), 'utf8'));

describe.each(Object.keys(OPTIONS))('%s executor options', (options) => {
  test.each(Object.keys(PIPELINES))('%s: every task receives the same arguments as before', (pipeline) => {
    expect(operatorKwargs(PIPELINES[pipeline], OPTIONS[options])).toEqual(BEFORE[options][pipeline]);
  });
});

test('the sagemaker files keep the iris jobs in the JOBS table (so the comparison above covers the table)', () => {
  const source = compileAirflow(PIPELINES.iris(), OPTIONS['sagemaker-kms']).source;
  for (const step of ['extract', 'clean', 'train', 'evaluate']) {
    expect(source).toMatch(new RegExp(`^"${step}": \\{"job": `, 'm'));
  }
  expect(source).toContain('config=training_config("train"))');
});

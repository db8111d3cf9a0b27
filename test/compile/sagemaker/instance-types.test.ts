import { execFileSync } from 'child_process';
import { ProcessingInstanceType, TrainingInstanceType } from '@aws-sdk/client-sagemaker';
import { closestNames, INSTANCE_TABLE, smallestInstanceFor } from '../../../lib/compile/sagemaker';

test('every table entry is a processing and a training instance type in the JS SDK and in botocore', () => {
  const processing = new Set<string>(Object.values(ProcessingInstanceType));
  const training = new Set<string>(Object.values(TrainingInstanceType));
  expect(INSTANCE_TABLE.filter((s) => !processing.has(s.name) || !training.has(s.name))).toEqual([]);
  const botocore = JSON.parse(execFileSync('python3', ['-c', [
    'import json, botocore.session',
    "m = botocore.session.get_session().get_service_model('sagemaker')",
    "print(json.dumps([m.shape_for('ProcessingInstanceType').enum, m.shape_for('TrainingInstanceType').enum]))",
  ].join('\n')], { encoding: 'utf8' }));
  expect(INSTANCE_TABLE.map((s) => s.name).filter((n) => !botocore[0].includes(n) || !botocore[1].includes(n))).toEqual([]);
});

test('the table has no duplicates and only families with known storage (NVMe families carry instanceStorage)', () => {
  const names = INSTANCE_TABLE.map((s) => s.name);
  expect(new Set(names).size).toBe(names.length);
  expect(INSTANCE_TABLE.filter((s) => s.instanceStorage).map((s) => s.name.split('.')[1])).toEqual(expect.arrayContaining(['g4dn', 'g5']));
  expect(INSTANCE_TABLE.filter((s) => s.instanceStorage && !/^ml\.(g4dn|g5)\./.test(s.name))).toEqual([]);
});

test('the smallest fit is monotone: asking for more never gives a smaller instance', () => {
  let previous = smallestInstanceFor({ cpu: 1 })!;
  for (const cpu of [2, 4, 8, 16, 32, 48, 64, 96]) {
    const next = smallestInstanceFor({ cpu })!;
    expect(next.vcpu).toBeGreaterThanOrEqual(Math.max(cpu, previous.vcpu));
    previous = next;
  }
  expect(smallestInstanceFor({ cpu: 1000 })).toBeUndefined();
});

test('closest names rank by edit distance', () => {
  expect(closestNames('ml.m5.larg', ['ml.m5.large', 'ml.c5.xlarge', 'ml.m5.xlarge', 'ml.t3.medium'], 2)).toEqual(['ml.m5.large', 'ml.m5.xlarge']);
});

import * as path from 'path';
import { Code, Pipeline, Step } from '../../lib';
import { problemsOf } from '../support/problems';

/** forEach items that a later step collects name one directory each (lib/pipeline/validate.ts). */

const code = Code.fromDirectory(path.join(__dirname, '..', 'fixtures', 'steps'));
const entry = 'noop.py';


function collected(items: string[]): Pipeline {
  const p = new Pipeline('collect');
  const fan = Step.script('fan', { code, entry, forEach: items, outputs: ['out'] });
  p.addStep(fan, Step.script('gather', { code, entry, inputs: { all: fan.collect('out') } }));
  return p;
}

test("items that start with a dot but are not '.' or '..' name directories", () => {
  expect(problemsOf(collected(['.a', '..b', 'c.']))).toEqual([]);
});

test("'.' and '..' cannot name an item's directory", () => {
  expect(problemsOf(collected(['.', '..', 'ok']))).toEqual([
    "step 'fan': forEach items '.', '..' cannot name the directory each item's data is read from when collected by 'gather' (allowed: letters, digits, '.', '_', '-', not '.' or '..', at most 255 chars); rename those items",
  ]);
});

test('an item given twice is reported as a duplicate only, not as a case clash', () => {
  expect(problemsOf(collected(['a', 'a']))).toEqual(["step 'fan': forEach item 'a' is declared twice; declare each forEach item once"]);
});

test('an item that is not a string is reported by the step only, not as a directory name', () => {
  expect(problemsOf(collected([{} as unknown as string, 'a']))).toEqual(["step 'fan': forEach items must be strings, got {}"]);
});

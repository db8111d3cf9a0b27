import { irisPipeline } from '../../../examples/iris/pipeline';
import { compileForTest } from '../../support/kubeflow';

/** Every synchronous fs call made while this file's modules run, by function name. */
const mockFsCalls: string[] = [];
jest.mock('fs', () => {
  const real = jest.requireActual('fs');
  return Object.fromEntries(Object.entries(real).map(([name, value]) => [
    name,
    typeof value === 'function' && /Sync$/.test(name) ? (...args: unknown[]) => (mockFsCalls.push(name), (value as (...a: unknown[]) => unknown)(...args)) : value,
  ]));
});

test('compiling reads only what the model validation reads, writes nothing, and leaves the pipeline as it was', () => {
  const pipeline = irisPipeline();
  mockFsCalls.length = 0;
  const first = JSON.stringify(compileForTest(pipeline));
  expect(mockFsCalls.length).toBeGreaterThan(0); // the model checks its code directory and entries
  expect([...new Set(mockFsCalls)].sort()).toEqual(['existsSync', 'statSync']);
  mockFsCalls.length = 0;
  expect(JSON.stringify(compileForTest(pipeline))).toBe(first);
  expect(mockFsCalls).toEqual([]); // the compiler itself does no I/O
});

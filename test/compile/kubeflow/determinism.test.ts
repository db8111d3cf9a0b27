import { irisPipeline } from '../../../examples/iris/pipeline';
import { FEATURES } from '../../conformance/features';
import { compileForTest } from '../../support/kubeflow';

const EXPRESSIBLE = FEATURES.filter((f) => f.id !== 'cache-expiry');

test('the same model compiles to byte-identical JSON, from separately built pipelines', () => {
  expect(JSON.stringify(compileForTest(irisPipeline()))).toBe(JSON.stringify(compileForTest(irisPipeline())));
  for (const feature of EXPRESSIBLE) {
    expect(JSON.stringify(compileForTest(feature.build()))).toBe(JSON.stringify(compileForTest(feature.build())));
  }
});

test('every object in the document has its keys in sorted order', () => {
  const unsorted: string[] = [];
  const walk = (value: unknown, at: string) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${at}[${i}]`));
    } else if (value !== null && typeof value === 'object') {
      const keys = Object.keys(value);
      if (keys.join('\0') !== [...keys].sort().join('\0')) {
        unsorted.push(at);
      }
      keys.forEach((k) => walk((value as { [key: string]: unknown })[k], `${at}.${k}`));
    }
  };
  walk(compileForTest(irisPipeline()), 'doc');
  expect(unsorted).toEqual([]);
});

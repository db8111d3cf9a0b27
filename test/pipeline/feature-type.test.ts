import { FeatureKind, FeatureType } from '../../lib/pipeline';

test('each factory gives its kind and reads back as the call that made it', () => {
  expect([FeatureType.integral(), FeatureType.fractional(), FeatureType.string()].map((t) => [t.kind, `${t}`])).toEqual([
    [FeatureKind.INTEGRAL, 'FeatureType.integral()'],
    [FeatureKind.FRACTIONAL, 'FeatureType.fractional()'],
    [FeatureKind.STRING, 'FeatureType.string()'],
  ]);
});

test('isFeatureType tells a FeatureType from look-alikes', () => {
  expect(FeatureType.isFeatureType(FeatureType.string())).toBe(true);
  expect(FeatureType.isFeatureType({ kind: FeatureKind.STRING })).toBe(false);
  expect(FeatureType.isFeatureType('String')).toBe(false);
});

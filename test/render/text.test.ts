import { escapeXml, oneLine, textWidth, truncate, wrapText } from '../../lib/render/text';

describe('text measuring and wrapping', () => {
  test('widths follow the font table: bold is wider, size scales, unknown characters count as an em', () => {
    expect(textWidth('iiii', { size: 10 })).toBeCloseTo(11.12);
    expect(textWidth('MMMM', { size: 10 })).toBeCloseTo(34.52);
    expect(textWidth('abc', { size: 20 })).toBeCloseTo(2 * textWidth('abc', { size: 10 }));
    expect(textWidth('train', { size: 12, bold: true })).toBeGreaterThan(textWidth('train', { size: 12 }));
    expect(textWidth('模型', { size: 10 })).toBe(20);
  });

  test('wraps at spaces within the width, and inside words longer than a line', () => {
    const font = { size: 12 };
    const lines = wrapText('evaluate.accuracy >= param:minAccuracy and more words here', font, 130);
    expect(lines.join(' ')).toBe('evaluate.accuracy >= param:minAccuracy and more words here');
    lines.forEach((l) => expect(textWidth(l, font)).toBeLessThanOrEqual(130));
    expect(lines.length).toBeGreaterThan(2);
    const long = 'x'.repeat(80);
    const pieces = wrapText(long, font, 100);
    expect(pieces.join('')).toBe(long);
    pieces.forEach((l) => expect(textWidth(l, font)).toBeLessThanOrEqual(100));
    expect(wrapText('', font, 100)).toEqual(['']);
  });

  test('truncate keeps whole characters and marks the cut', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('a longer sentence', 9)).toBe('a longer…');
    expect([...truncate('😀'.repeat(10), 4)]).toHaveLength(4);
    expect(oneLine(' a\n\tb  c ')).toBe('a b c');
  });

  test('escapeXml escapes markup and replaces what XML cannot hold', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    expect(escapeXml('bell\u0007 nul\u0000 ok\ttab')).toBe('bell\uFFFD nul\uFFFD ok\ttab');
    expect(escapeXml('lone \uD800 surrogate, pair 😀')).toBe('lone \uFFFD surrogate, pair 😀');
  });
});

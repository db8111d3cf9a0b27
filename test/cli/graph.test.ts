import * as fs from 'fs';
import * as path from 'path';
import { irisPipeline } from '../../examples/iris/pipeline';
import { renderMermaid } from '../../lib/render';
import { runMlops } from '../support/local/cli';
import { FIXTURE_PIPELINES, tempDir } from '../support/local/fixtures';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir('graph');
});
afterEach(() => tmp.cleanup());

test('mlops graph prints the Mermaid diagram of lib/render, branches included', async () => {
  const r = await runMlops(['graph', 'examples/iris']);
  expect(r.code).toBe(0);
  expect(r.stdout.trimEnd()).toBe(renderMermaid(irisPipeline()).trimEnd());
  expect(r.stdout).toContain('flowchart');
  expect(r.stdout).toContain('accuracy-gate · then');
  expect(r.stdout).toContain('accuracy-gate · otherwise');
});

test('mlops graph --format svg --out writes an SVG file', async () => {
  const out = path.join(tmp.dir, 'diagrams', 'iris.svg');
  const r = await runMlops(['graph', 'examples/iris', '--format', 'svg', '--out', out]);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe('');
  expect(r.stderr).toContain(`wrote the SVG diagram of 'iris' to ${out}`);
  const svg = fs.readFileSync(out, 'utf8');
  expect(svg).toMatch(/^<\?xml[^>]*\?>\s*<svg /);
  expect(svg).toContain('accuracy-gate');
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
});

test('an unknown format and a module without a pipeline are refused', async () => {
  const png = await runMlops(['graph', 'examples/iris', '--format', 'png']);
  expect(png.code).toBe(2);
  expect(png.stderr).toContain("option '--format <format>' argument 'png' is invalid. Allowed choices are mermaid, svg.");
  const none = await runMlops(['graph', path.join(FIXTURE_PIPELINES, 'exports-nothing.ts')]);
  expect(none.code).toBe(2);
  expect(none.stderr).toContain('exports no Pipeline');
});

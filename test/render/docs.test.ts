import * as fs from 'fs';
import * as path from 'path';
import { irisPipeline } from '../../examples/iris/pipeline';
import { renderMermaid } from '../../lib/render';

const ROOT = path.join(__dirname, '..', '..');

function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

describe.each(['README.md', 'docs/render.md'])('%s', (doc) => {
  test('shows exactly what renderMermaid gives for the Iris pipeline', () => {
    const blocks = mermaidBlocks(fs.readFileSync(path.join(ROOT, doc), 'utf8'));
    expect(blocks).toHaveLength(1);
    // On failure: paste the output of renderMermaid(irisPipeline()) into the block.
    expect(blocks[0]).toBe(renderMermaid(irisPipeline()));
  });
});

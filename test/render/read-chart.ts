import { MermaidChart, readMermaid } from '../support/render/mermaid-reader';

/**
 * readMermaid (test/support/render) plus the one node shape it does not know yet: data nodes
 * drawn as parallelograms, `id[/"label"/]`. Their lines are read as plain boxes and given the
 * shape '[/' back, so the strict reader still checks everything else.
 */
export function readChart(text: string): MermaidChart {
  const parallelograms = new Set<string>();
  const boxed = text
    .split('\n')
    .map((line) => line.replace(/^(\s*)([A-Za-z][A-Za-z0-9_]*)\[\/"(.*)"\/\]$/, (_, indent: string, id: string, label: string) => {
      parallelograms.add(id);
      return `${indent}${id}["${label}"]`;
    }))
    .join('\n');
  const chart = readMermaid(boxed);
  return {
    ...chart,
    lines: text.split('\n'),
    nodes: chart.nodes.map((n) => (parallelograms.has(n.id) ? { ...n, shape: '[/' } : n)),
  };
}

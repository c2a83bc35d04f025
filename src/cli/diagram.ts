/**
 * Writes the order machine's state diagram into README.md, between the
 * `<!-- diagram:start -->` and `<!-- diagram:end -->` markers: `npm run diagram`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { orderDiagram } from '../../machines';

export const README = path.resolve(__dirname, '../../README.md');
const START = '<!-- diagram:start -->';
const END = '<!-- diagram:end -->';

/** The README text with the diagram block replaced by the machine's current diagram. */
export function withDiagram(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} ... ${END} block`);
  const block = `${START}\n\n\`\`\`mermaid\n${orderDiagram()}\n\`\`\`\n\n`;
  return readme.slice(0, start) + block + readme.slice(end);
}

if (require.main === module) {
  writeFileSync(README, withDiagram(readFileSync(README, 'utf8')));
  process.stdout.write('README.md: diagram updated from machines/order.machine.ts\n');
}

import * as fs from 'fs';
import { README, supportTable, withTable } from './support-table';

test("README's support table is what the conformance columns prove", () => {
  const readme = fs.readFileSync(README, 'utf8');
  // On failure: npx tsx test/conformance/support-table.ts --write
  expect(readme).toBe(withTable(readme, supportTable()));
});

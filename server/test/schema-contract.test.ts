import fs from 'node:fs';
import { buildBareSchema, printContract, schemaFilePath } from '../src/schema';

it('schema.graphql at the repository root matches the code (run `yarn schema:emit` to refresh it)', async () => {
  const committed = fs.readFileSync(schemaFilePath, 'utf8');
  expect(committed).toBe(printContract(await buildBareSchema()));
});

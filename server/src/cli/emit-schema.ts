import 'reflect-metadata';
import fs from 'node:fs';
import { buildBareSchema, printContract, schemaFilePath } from '../schema';

/** Writes the integrators' contract, schema.graphql at the repository root. */
async function main() {
  const schema = await buildBareSchema();
  fs.writeFileSync(schemaFilePath, printContract(schema));
  console.log(`wrote ${schemaFilePath}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

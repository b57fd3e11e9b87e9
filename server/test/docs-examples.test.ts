import fs from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { schemaFilePath } from '../src/schema';
import { DOCUMENTS, examplesIn } from './graphql-documents';

const schema = buildSchema(fs.readFileSync(schemaFilePath, 'utf8'));

it.each(DOCUMENTS)('the GraphQL examples in %s are valid against schema.graphql', (file) => {
  const examples = examplesIn(file);
  expect(examples.length).toBeGreaterThan(0);
  const problems = examples.flatMap((example) =>
    validate(schema, parse(example)).map((e) => `${e.message}\n  in: ${example.slice(0, 120)}`),
  );
  expect(problems).toEqual([]);
});

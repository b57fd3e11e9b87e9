import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { schemaFilePath } from '../src/schema';

const root = path.resolve(__dirname, '../..');
const documents = ['README.md', 'docs/reports-and-cli.md'];

/** The GraphQL in ```graphql blocks and in the `"query": "…"` of curl examples. */
function examplesIn(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
  const inline = [...markdown.matchAll(/"query": "((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
  return [...blocks, ...inline];
}

const schema = buildSchema(fs.readFileSync(schemaFilePath, 'utf8'));

it.each(documents)('the GraphQL examples in %s are valid against schema.graphql', (file) => {
  const examples = examplesIn(fs.readFileSync(path.join(root, file), 'utf8'));
  expect(examples.length).toBeGreaterThan(0);
  const problems = examples.flatMap((example) =>
    validate(schema, parse(example.replace(/"…"/g, '"x"'))).map((e) => `${e.message}\n  in: ${example.slice(0, 120)}`),
  );
  expect(problems).toEqual([]);
});

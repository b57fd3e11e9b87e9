import fs from 'node:fs';
import path from 'node:path';
import { Kind, parse, print, visit, type DefinitionNode, type FragmentDefinitionNode } from 'graphql';

const root = path.resolve(__dirname, '../..');

/** The documents whose GraphQL examples must work: README.md and docs/. */
export const DOCUMENTS = ['README.md', 'docs/reports-and-cli.md'];

/** The GraphQL in ```graphql blocks and in the `"query": "…"` of curl examples of a markdown file (path from the repo root), `"…"` placeholders filled. */
export function examplesIn(file: string): string[] {
  const markdown = fs.readFileSync(path.join(root, file), 'utf8');
  const blocks = [...markdown.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
  const inline = [...markdown.matchAll(/"query": "((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
  return [...blocks, ...inline].map((example) => example.replace(/"…"/g, '"x"'));
}

function graphqlFilesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.graphql'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Every operation of the web app (web/src/**\/*.graphql), each with the fragments it spreads, as the client sends it. */
export function webOperations(): Array<{ name: string; query: string }> {
  const definitions: DefinitionNode[] = graphqlFilesUnder(path.join(root, 'web/src')).flatMap(
    (file) => parse(fs.readFileSync(file, 'utf8')).definitions,
  );
  const fragments = new Map(
    definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  return definitions.flatMap((definition) => {
    if (definition.kind !== Kind.OPERATION_DEFINITION) return [];
    const used = new Map<string, FragmentDefinitionNode>();
    const collect = (node: DefinitionNode) =>
      visit(node, {
        FragmentSpread({ name }) {
          const fragment = fragments.get(name.value);
          if (fragment && !used.has(name.value)) {
            used.set(name.value, fragment);
            collect(fragment);
          }
        },
      });
    collect(definition);
    return [{ name: definition.name?.value ?? 'anonymous', query: [definition, ...used.values()].map(print).join('\n') }];
  });
}

/** The start of a body on one line, for a list: whitespace runs become one space. */
export function excerpt(body: string, length = 120): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > length ? `${line.slice(0, length).trimEnd()}…` : line;
}

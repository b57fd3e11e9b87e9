export interface RecipientFields {
  email: string;
  fullName: string;
}

const PLACEHOLDER = /\{\{\s*(fullName|email)\s*\}\}/g;

/** Fills `{{fullName}}` and `{{email}}` in; other text, other braces included, stays as written. */
export function personalize(template: string, recipient: RecipientFields): string {
  return template.replace(PLACEHOLDER, (_, name: keyof RecipientFields) => recipient[name]);
}

/** A header value never spans lines, whatever a recipient's name holds. */
export function personalizeHeader(template: string, recipient: RecipientFields): string {
  return personalize(template, recipient).replace(/[\r\n]+/g, ' ');
}

import { compile } from 'html-to-text';
import { MessageFormat } from './message.entity';

/**
 * The plain text of an HTML body: text, lists, tables and links (as `text [url]`), wrapped
 * at 78; headings keep their case, so names in them read as written.
 */
export const htmlToText = compile({
  wordwrap: 78,
  selectors: ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
});

/** A body as plain text: itself, or the text made from it when it is HTML. */
export const plainTextOf = (body: string, format: MessageFormat): string => (format === MessageFormat.HTML ? htmlToText(body) : body);

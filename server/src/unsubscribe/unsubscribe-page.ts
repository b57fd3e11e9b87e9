import { escapeHtml } from '../rules/messages';
import { UNSUBSCRIBE_PATH } from './unsubscribe-links';

/** What the unsubscribe page says. */
export type UnsubscribePageState =
  /** Subscribed: offers to unsubscribe (a GET never changes anything: mail scanners open links). */
  | { kind: 'subscribed'; resubscribed: boolean; token: string }
  | { kind: 'unsubscribed'; token: string }
  /** Forged, altered or unknown token, or a deleted recipient: one answer for all, naming nothing. */
  | { kind: 'invalid' }
  | { kind: 'tooMany'; retryAfterSeconds: number };

const STYLE = `
  body { font-family: system-ui, sans-serif; background: #f8fafc; color: #0f172a; margin: 0; }
  main { max-width: 32rem; margin: 4rem auto; padding: 2rem; background: #fff; border-radius: .75rem; box-shadow: 0 1px 3px #0002; }
  h1 { font-size: 1.4rem; margin-top: 0; }
  button { font: inherit; padding: .55rem 1.1rem; border-radius: .4rem; border: 1px solid #0f172a; background: #0f172a; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #0f172a; }
  .note { color: #475569; }`;

function form(action: string, label: string, secondary = false): string {
  return `<form method="post" action="${escapeHtml(action)}"><button type="submit"${secondary ? ' class="secondary"' : ''}>${escapeHtml(label)}</button></form>`;
}

function content(state: UnsubscribePageState): { title: string; body: string } {
  switch (state.kind) {
    case 'subscribed': {
      const path = `${UNSUBSCRIBE_PATH}/${state.token}`;
      return {
        title: state.resubscribed ? 'You are subscribed again' : 'Unsubscribe?',
        body: `${state.resubscribed ? '<p>You will receive this sender’s mailings again.</p>' : '<p>Stop receiving mailings from this sender?</p>'}
      ${form(path, 'Unsubscribe')}`,
      };
    }
    case 'unsubscribed': {
      const path = `${UNSUBSCRIBE_PATH}/${state.token}`;
      return {
        title: 'You are unsubscribed',
        body: `<p>You will receive no more mailings from this sender.</p>
      <p class="note">Unsubscribed by mistake?</p>
      ${form(`${path}/resubscribe`, 'Subscribe again', true)}`,
      };
    }
    case 'invalid':
      return { title: 'This link does not work', body: '<p>This unsubscribe link is not valid. Use the link from the latest message you received.</p>' };
    case 'tooMany': {
      const minutes = Math.max(1, Math.ceil(state.retryAfterSeconds / 60));
      return { title: 'Too many requests', body: `<p>Please try again in ${minutes} minute${minutes === 1 ? '' : 's'}.</p>` };
    }
  }
}

/** The small server-rendered page of an unsubscribe link: no script, its style carries the response's CSP nonce. */
export function unsubscribePage(state: UnsubscribePageState, nonce: string): string {
  const { title, body } = content(state);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="robots" content="noindex">
    <title>${escapeHtml(title)}</title>
    <style nonce="${escapeHtml(nonce)}">${STYLE}</style>
  </head>
  <body>
    <main>
      <h1>${escapeHtml(title)}</h1>
      ${body}
    </main>
  </body>
</html>
`;
}

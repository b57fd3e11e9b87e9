import type Mail from 'nodemailer/lib/mailer';
import type { Config } from '../config';
import { unsubscribeToken, type UnsubscribeTarget } from './unsubscribe-token';

/** Where a recipient unsubscribes: the one-click HTTPS link, and a mailto when UNSUBSCRIBE_MAILTO is set. */
export interface UnsubscribeLinks {
  url: string;
  mailto?: string;
}

/** The path of the unsubscribe page (GET shows it, POST unsubscribes: RFC 8058 one-click). */
export const UNSUBSCRIBE_PATH = '/unsubscribe';

/** Makes the links of each (owner, recipient) from the settings: under APP_URL, signed with UNSUBSCRIBE_SECRET. */
export function unsubscribeLinks(
  config: Pick<Config, 'APP_URL' | 'UNSUBSCRIBE_SECRET' | 'UNSUBSCRIBE_MAILTO'>,
): (target: UnsubscribeTarget) => UnsubscribeLinks {
  const base = `${config.APP_URL.replace(/\/+$/, '')}${UNSUBSCRIBE_PATH}/`;
  return (target) => {
    const token = unsubscribeToken(config.UNSUBSCRIBE_SECRET, target);
    return {
      url: base + token,
      ...(config.UNSUBSCRIBE_MAILTO && { mailto: `mailto:${config.UNSUBSCRIBE_MAILTO}?subject=unsubscribe%20${token}` }),
    };
  };
}

/**
 * The headers of RFC 2369 and RFC 8058 as nodemailer takes them: one List-Unsubscribe with
 * the link (and the mailto), and List-Unsubscribe-Post, which lets mail providers unsubscribe with one click.
 */
export function unsubscribeHeaders(links: UnsubscribeLinks): { list: Mail.Options['list']; headers: Record<string, string> } {
  return {
    list: { unsubscribe: [[links.url, ...(links.mailto ? [links.mailto] : [])]] },
    headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}

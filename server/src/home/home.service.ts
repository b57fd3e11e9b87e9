import type { Context } from '../context';
import { actor } from '../context';
import { readScope } from '../common/scope';
import { cached } from '../cache/cached';
import { MailingStatus } from '../mailings/mailing.entity';
import type { HomeFigures } from './home-figures.type';

interface FiguresRow {
  total_mailings: number;
  active_mailings: number;
  unique_recipients: number;
}

export class HomeService {
  constructor(private readonly ctx: Context) {}

  /** One SQL query, cached per reader scope until a write changes the figures. */
  figures(): Promise<HomeFigures> {
    return cached(this.ctx, 'home.figures', {}, async () => {
      const { owner } = readScope(actor(this.ctx));
      const byOwner = owner ? 'where owner_id = ?' : '';
      const [row] = await this.ctx.em.execute<FiguresRow[]>(
        `select count(*)::int as total_mailings,
                (count(*) filter (where status = ?))::int as active_mailings,
                (select count(distinct email) from recipients ${byOwner})::int as unique_recipients
           from mailings ${byOwner}`,
        owner ? [MailingStatus.RUNNING, owner, owner] : [MailingStatus.RUNNING],
        'all',
        this.ctx.em.getLoggerContext(),
      );
      return {
        totalMailings: row.total_mailings,
        activeMailings: row.active_mailings,
        uniqueRecipients: row.unique_recipients,
      };
    });
  }
}

import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../common/actor';
import { readScope } from '../common/scope';
import type { AppCache } from '../cache/app-cache';
import { cached } from '../cache/cached';
import { MailingStatus } from '../mailings/mailing.entity';
import type { HomeFigures } from './home-figures.type';

interface FiguresRow {
  total_mailings: number;
  active_mailings: number;
  unique_recipients: number;
}

export class HomeService {
  constructor(
    private readonly em: EntityManager,
    private readonly cache: AppCache,
  ) {}

  /** One SQL query, cached per reader scope until a write changes the figures. */
  figures(actor: Actor): Promise<HomeFigures> {
    return cached(this.cache, actor, 'home.figures', {}, async () => {
      const { owner } = readScope(actor);
      const byOwner = owner ? 'where owner_id = ?' : '';
      const [row] = await this.em.execute<FiguresRow[]>(
        `select count(*)::int as total_mailings,
                (count(*) filter (where status = ?))::int as active_mailings,
                (select count(distinct email) from recipients ${byOwner})::int as unique_recipients
           from mailings ${byOwner}`,
        owner ? [MailingStatus.RUNNING, owner, owner] : [MailingStatus.RUNNING],
        'all',
        this.em.getLoggerContext(),
      );
      return {
        totalMailings: row.total_mailings,
        activeMailings: row.active_mailings,
        uniqueRecipients: row.unique_recipients,
      };
    });
  }
}

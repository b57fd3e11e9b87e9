import { Ctx, Query, Resolver } from 'type-graphql';
import type { AppCache } from '../cache/app-cache';
import { actorOf, type RequestContext } from '../common/request-context';
import { HomeFigures } from './home-figures.type';
import { HomeService } from './home.service';

export interface HomeDeps {
  cache: AppCache;
}

@Resolver()
export class HomeResolver {
  constructor(private readonly deps: HomeDeps) {}

  @Query(() => HomeFigures, { description: 'Total and active mailings and unique recipients.' })
  home(@Ctx() ctx: RequestContext) {
    return new HomeService(ctx.em, this.deps.cache).figures(actorOf(ctx));
  }
}

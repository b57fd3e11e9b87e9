import { Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { HomeFigures } from './home-figures.type';
import { HomeService } from './home.service';

@Resolver()
export class HomeResolver {
  @Query(() => HomeFigures, { description: 'Total and active mailings and unique recipients.' })
  home(@Ctx() ctx: Context) {
    return new HomeService(ctx).figures();
  }
}

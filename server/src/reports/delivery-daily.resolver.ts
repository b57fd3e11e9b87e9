import { Args, Ctx, Query, Resolver } from 'type-graphql';
import { actorOf, type RequestContext } from '../common/request-context';
import { deliveryDaily } from './delivery-daily';
import { DailyDeliveries, DeliveryDailyArgs } from './delivery-daily.types';

@Resolver()
export class DeliveryDailyResolver {
  @Query(() => [DailyDeliveries], {
    description:
      'Messages that ended SENT, FAILED or UNCERTAIN per calendar day of timeZone between from and to, every day of the range listed (zeros included); yours, everyone’s for managers and admins.',
  })
  deliveryDaily(@Args(() => DeliveryDailyArgs) args: DeliveryDailyArgs, @Ctx() ctx: RequestContext) {
    return deliveryDaily(ctx.em, actorOf(ctx), args);
  }
}

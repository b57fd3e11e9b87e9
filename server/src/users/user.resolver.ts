import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { PageType } from '../common/pagination';
import { actorOf, type RequestContext } from '../common/request-context';
import { User } from './user.entity';
import { UserInput, UserListArgs, UserUpdateInput } from './user.inputs';
import { UserService, type AccountHooks } from './user.service';

const UserPage = PageType(User);

export type UserDeps = AccountHooks;

@Resolver(() => User)
export class UserResolver {
  constructor(private readonly deps: UserDeps) {}

  @Query(() => UserPage, { description: 'All accounts (managers and admins).' })
  users(@Args(() => UserListArgs) args: UserListArgs, @Ctx() ctx: RequestContext) {
    return this.service(ctx).list(args);
  }

  @Query(() => User, { description: 'One account (managers and admins).' })
  user(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.service(ctx).get(id);
  }

  @Mutation(() => User, { description: 'Creates a verified account (admins).' })
  createUser(@Arg('input', () => UserInput) input: UserInput, @Ctx() ctx: RequestContext) {
    return this.service(ctx).create(input);
  }

  @Mutation(() => User, { description: 'Edits an account (admins).' })
  updateUser(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UserUpdateInput) input: UserUpdateInput,
    @Ctx() ctx: RequestContext,
  ) {
    return this.service(ctx).update(actorOf(ctx), id, input);
  }

  @Mutation(() => ID, { description: 'Deletes an account and all its data (admins); returns its id.' })
  deleteUser(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.service(ctx).delete(actorOf(ctx), id);
  }

  @Mutation(() => User, { description: 'Blocks an account and ends its sessions (managers and admins).' })
  blockUser(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.service(ctx).setBlocked(actorOf(ctx), id, true);
  }

  @Mutation(() => User, { description: 'Lets a blocked account log in again (managers and admins).' })
  unblockUser(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.service(ctx).setBlocked(actorOf(ctx), id, false);
  }

  private service(ctx: RequestContext) {
    return new UserService(ctx.em, this.deps);
  }
}

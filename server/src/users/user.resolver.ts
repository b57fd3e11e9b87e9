import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { PageType } from '../common/pagination';
import { User } from './user.entity';
import { UserInput, UserListArgs, UserUpdateInput } from './user.inputs';
import { UserService } from './user.service';

const UserPage = PageType(User);

@Resolver(() => User)
export class UserResolver {
  @Query(() => UserPage, { description: 'All accounts (managers and admins).' })
  users(@Args(() => UserListArgs) args: UserListArgs, @Ctx() ctx: Context) {
    return new UserService(ctx).list(args);
  }

  @Query(() => User, { description: 'One account (managers and admins).' })
  user(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return new UserService(ctx).get(id);
  }

  @Mutation(() => User, { description: 'Creates a verified account (admins).' })
  createUser(@Arg('input', () => UserInput) input: UserInput, @Ctx() ctx: Context) {
    return new UserService(ctx).create(input);
  }

  @Mutation(() => User, { description: 'Edits an account (admins).' })
  updateUser(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UserUpdateInput) input: UserUpdateInput,
    @Ctx() ctx: Context,
  ) {
    return new UserService(ctx).update(id, input);
  }

  @Mutation(() => ID, { description: 'Deletes an account and all its data (admins); returns its id.' })
  deleteUser(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return new UserService(ctx).delete(id);
  }

  @Mutation(() => User, { description: 'Blocks an account and ends its sessions (managers and admins).' })
  blockUser(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return new UserService(ctx).setBlocked(id, true);
  }

  @Mutation(() => User, { description: 'Lets a blocked account log in again (managers and admins).' })
  unblockUser(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return new UserService(ctx).setBlocked(id, false);
  }
}

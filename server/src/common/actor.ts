import { registerEnumType } from 'type-graphql';

export enum Role {
  USER = 'USER',
  MANAGER = 'MANAGER',
  ADMIN = 'ADMIN',
}
registerEnumType(Role, { name: 'Role', description: 'What an account may do.' });

/** Who a service acts for: the signed-in user of a request, or the account a command acts as. */
export interface Actor {
  id: string;
  role: Role;
}

import type { EntityClass } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from './orm.config';

/** Connects and applies every pending migration. */
export async function initOrm(clientUrl: string, entities: EntityClass<object>[], debug = false): Promise<MikroORM> {
  const orm = await MikroORM.init(ormConfig(clientUrl, entities, { debug }));
  await orm.getMigrator().up();
  return orm;
}

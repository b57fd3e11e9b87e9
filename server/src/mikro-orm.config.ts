import { ormConfig } from './db/orm.config';
import { entities } from './features';

/** Used only by the MikroORM CLI (`yarn migration:create`). */
export default ormConfig(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mailing', entities);

import { isAuthenticated } from '../common/access-rules';

export const homePermissions = {
  Query: { home: isAuthenticated },
};

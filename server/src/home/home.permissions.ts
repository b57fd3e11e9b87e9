import { isAuthenticated } from '../auth/rules';

export const homePermissions = {
  Query: { home: isAuthenticated },
};

import { isAuthenticated } from '../common/access-rules';

/** Every signed-in role reads reports; the service narrows a user to their own. */
export const reportPermissions = {
  Query: { mailingReports: isAuthenticated, attemptDeliveries: isAuthenticated, userStats: isAuthenticated, deliveryDaily: isAuthenticated },
};

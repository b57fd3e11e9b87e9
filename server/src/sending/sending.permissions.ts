import { isAuthenticated, isUser } from '../common/access-rules';

/** Owners send their own mailings; everyone signed in reads progress, narrowed to their own by the service. */
export const sendingPermissions = {
  Query: { attemptProgress: isAuthenticated, mailingProgress: isAuthenticated },
  Mutation: { sendMailingNow: isUser, retryFailedDeliveries: isUser },
};

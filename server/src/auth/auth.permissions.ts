import { allow } from 'graphql-shield';
import { isAuthenticated } from './rules';

export const authPermissions = {
  Query: { me: allow },
  Mutation: {
    register: allow,
    verifyEmail: allow,
    resendVerification: allow,
    login: allow,
    requestPasswordReset: allow,
    resetPassword: allow,
    logout: isAuthenticated,
    updateProfile: isAuthenticated,
    changePassword: isAuthenticated,
  },
};

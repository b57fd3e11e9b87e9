import type { IRules } from 'graphql-shield';
import { recipientPermissions } from './recipients/recipient.permissions';
import { messagePermissions } from './messages/message.permissions';
import { mailingPermissions } from './mailings/mailing.permissions';
import { authPermissions } from './auth/auth.permissions';
import { userPermissions } from './users/user.permissions';
import { homePermissions } from './home/home.permissions';
import { reportPermissions } from './reports/report.permissions';
import { sendingPermissions } from './sending/sending.permissions';

/** Every feature's role rules for Query and Mutation fields, merged into one shield. */
export const featurePermissions: Array<{ Query?: IRules; Mutation?: IRules }> = [recipientPermissions, authPermissions, userPermissions, messagePermissions, mailingPermissions, homePermissions, reportPermissions, sendingPermissions];

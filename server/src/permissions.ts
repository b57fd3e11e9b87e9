import type { IRules } from 'graphql-shield';
import { recipientPermissions } from './recipients/recipient.permissions';

/** Every feature's role rules for Query and Mutation fields, merged into one shield. */
export const featurePermissions: Array<{ Query?: IRules; Mutation?: IRules }> = [recipientPermissions];

// Every feature of the app, one line each: adding a feature adds a line here and nothing else outside its folder.
export { userFeature } from './users/user.feature';
export { authFeature } from './auth/auth.feature';
export { recipientFeature } from './recipients/recipient.feature';
export { unsubscribeFeature } from './unsubscribe/unsubscribe.feature';
export { messageFeature } from './messages/message.feature';
export { mailingFeature } from './mailings/mailing.feature';
export { sendingFeature } from './sending/sending.feature';
export { reportFeature } from './reports/report.feature';
export { homeFeature } from './home/home.feature';

/**
 * Input rules shared by the server and the web app: pure zod schemas and limits,
 * with the messages a person sees. Imported as `@mailing/server/rules`.
 */
export * from './accounts';
export * from './recipients';
export * from './messages';
export * from './mailings';

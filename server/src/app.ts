import 'reflect-metadata';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import cookieParser from 'cookie-parser';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from './config';
import type { DestinationStream } from 'pino';
import { createLogger, type Logger } from './common/logger';
import { formatError, isClientError } from './common/format-error';
import { initOrm } from './db/orm';
import { answerFields, cacheRules, entities, features } from './features';
import { openDatabase } from './db/database';
import { closeRedis, openRedis } from './common/redis';
import { createMailer, type Mailer } from './mail/mailer';
import { appDeps, type AppDeps } from './app-deps';
import { createAuthLimits } from './auth/auth-limits';
import { createContext } from './context';
import type { RequestContext } from './common/request-context';
import { buildAppSchema } from './schema';
import { createScheduler } from './sending/scheduler';
import type { MailingScheduler } from './sending/scheduler.types';
import type { AppCache } from './cache/app-cache';
import { openReadCache } from './cache/read-cache';
import { answerCache } from './cache/answer-cache';
import { serveWebApp } from './web-app';
import { queryLimits } from './common/query-limits';
import { storableStrings } from './common/storable-strings';
import { securityHeaders } from './http/security-headers';
import { apiErrors, apiNotFound } from './http/api-paths';

export interface App {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  http: http.Server;
  mailer: Mailer;
  scheduler: MailingScheduler;
  cache: AppCache;
  databaseUrl: string;
  /** Starts listening; resolves to the bound URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Releases everything: HTTP, scheduler, mail, cache, Redis, database (and an embedded PostgreSQL). */
  close(): Promise<void>;
}

/** Builds the whole service from a config. Tests use it with a fresh database (and may read its log from `logDestination`). */
export async function createApp(config: Config, options: { logDestination?: DestinationStream } = {}): Promise<App> {
  const logger = createLogger(config.LOG_LEVEL, options.logDestination);
  const { url: databaseUrl, embedded } = await openDatabase(config, { reuseRunning: false });
  if (embedded) logger.info({ dir: config.EMBEDDED_PG_DIR }, 'started embedded PostgreSQL');
  const orm = await initOrm(databaseUrl, entities);
  const redis = config.REDIS_URL ? await openRedis(config.REDIS_URL, logger) : undefined;
  const cache = await openReadCache({ orm, config, databaseUrl, logger, redis, rules: cacheRules });
  const mailer = await createMailer(config, logger);
  const scheduler = await createScheduler({ config, logger, orm, databaseUrl, redis, smtpUrl: mailer.smtpUrl });
  const authLimits = createAuthLimits({ config, em: orm.em, redis });
  const deps = appDeps({ config, logger, orm, mailer, scheduler, cache, authLimits, redis });

  const server = express();
  const httpServer = http.createServer(server);
  // A worker serves only /healthz: no GraphQL, no web app.
  const apollo = config.SERVER_ROLE === 'worker' ? null : await startApollo(deps, httpServer, logger);

  server.disable('x-powered-by');
  // The client address (rate limits) is the peer's, or behind trusted proxies the one they forward.
  server.set('trust proxy', config.TRUST_PROXY);
  server.use(securityHeaders());
  server.get('/healthz', async (_req, res) => {
    try {
      await orm.em.getConnection().execute('select 1');
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'database unavailable' });
    }
  });
  if (apollo) {
    server.use(
      '/graphql',
      cookieParser(),
      express.json({ limit: '2mb' }),
      expressMiddleware(apollo, { context: ({ req, res }) => createContext(orm.em, cache, req, res) }),
    );
    for (const feature of features) if (feature.routes) server.use(feature.routes(deps));
    serveWebApp(server);
  }
  server.use(apiNotFound, apiErrors(logger));

  await scheduler.start();

  let closed = false;
  return {
    config,
    logger,
    orm,
    http: httpServer,
    mailer,
    scheduler,
    cache,
    databaseUrl,
    listen(port = config.PORT, host = config.HOST) {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const address = httpServer.address() as AddressInfo;
          resolve(`http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`);
        });
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await apollo?.stop();
      if (httpServer.listening) await new Promise<void>((r) => httpServer.close(() => r()));
      await scheduler.close();
      await mailer.close();
      await cache.close();
      if (redis) await closeRedis(redis);
      await orm.close(true);
      await embedded?.stop();
    },
  };
}

/** The GraphQL server of the API role, started; its limits and logging of refused and failed requests. */
async function startApollo(deps: AppDeps, httpServer: http.Server, logger: Logger): Promise<ApolloServer<RequestContext>> {
  const { config } = deps;
  const schema = await buildAppSchema(deps);
  const limits = queryLimits(config);
  const apollo = new ApolloServer<RequestContext>({
    schema,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    formatError,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGINT/SIGTERM and closes everything in order (Apollo's own handler races it).
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No field sets a cache hint, yet the default cache-control plugin hooks into every field
      // of every answer to find out; answers are simply never cached.
      ApolloServerPluginCacheControlDisabled(),
      { requestDidStart: async () => ({ willSendResponse: async ({ response }) => void response.http.headers.set('cache-control', 'no-store') }) },
      ...limits.plugins,
      storableStrings<RequestContext>(),
      answerCache(deps.cache, answerFields),
      {
        async requestDidStart() {
          return {
            // A refused request is one info line (codes and fields, no stack); a failure is an error line with its stack.
            async didEncounterErrors({ contextValue, errors, operationName }) {
              const refusals = errors.filter(isClientError).map((error) => formatError(error.toJSON(), error));
              if (refusals.length) {
                const refused = refusals.map(({ path, extensions }) => ({ code: extensions?.code, field: extensions?.field, path }));
                logger.info({ requestId: contextValue.requestId, operationName, refused }, 'request refused');
              }
              for (const error of errors) {
                if (!isClientError(error)) logger.error({ requestId: contextValue.requestId, err: error.originalError ?? error }, 'request failed');
              }
            },
          };
        },
      },
    ],
  });
  await apollo.start();
  return apollo;
}

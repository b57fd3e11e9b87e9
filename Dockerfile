# syntax=docker/dockerfile:1
# The production image: the API server serving the built web app on port 4000.
# Behind a registry mirror, pass it at build time:
#   docker build --build-arg COREPACK_NPM_REGISTRY=<url> --build-arg YARN_NPM_REGISTRY_SERVER=<url> .

FROM node:20-bookworm-slim AS base
ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0
WORKDIR /app
RUN corepack enable
COPY package.json yarn.lock .yarnrc.yml ./
COPY server/package.json server/
COPY web/package.json web/

# Everything needed to build both workspaces.
FROM base AS build
ARG COREPACK_NPM_REGISTRY
ARG YARN_NPM_REGISTRY_SERVER
RUN yarn install --immutable
COPY . .
RUN yarn build

# Only the server's runtime dependencies.
FROM base AS production-deps
ARG COREPACK_NPM_REGISTRY
ARG YARN_NPM_REGISTRY_SERVER
RUN yarn workspaces focus --production @mailing/server

FROM node:20-bookworm-slim AS runtime
# A bounded heap keeps a 1,000,000-recipient run under 256 MB RSS (see bench/README.md).
ENV NODE_ENV=production \
    PORT=4000 \
    NODE_OPTIONS=--max-old-space-size=192
WORKDIR /app
COPY --from=production-deps /app ./
COPY --from=build /app/server/dist server/dist
COPY --from=build /app/web/dist web/dist
# NODE_ENV=production: DATABASE_URL and SMTP_URL must be given (no embedded PostgreSQL, no mail catcher).
USER node
EXPOSE 4000
CMD ["node", "server/dist/main.js"]

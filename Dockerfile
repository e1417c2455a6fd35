# One image for the gateway (default command), the scheduler and the migration job:
#   docker run rendezvous                                  gateway on :8080
#   docker run rendezvous node dist/apps/scheduler/main.js scheduler (/health and /metrics on :8081)
#   docker run rendezvous node dist/apps/migrate/main.js   migrations, then exit
# NODE_IMAGE builds; the runtime is RUNTIME_IMAGE (the same Debian release) with only the node binary added: no npm,
# no headers, no compilers. Where no registry is reachable, tools/make-base-images.sh makes both locally.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim
ARG RUNTIME_IMAGE=debian:12.12-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches the platform.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json prisma.config.ts ./
COPY prisma ./prisma
COPY libs ./libs
COPY apps ./apps
COPY bench ./bench
COPY tools ./tools
COPY test/support ./test/support
COPY test/browser ./test/browser
# Runtime dependencies only: --omit=optional also drops what is both dev and an optional peer (the prisma CLI and
# its engines, typescript) and native accelerators with JavaScript fallbacks (msgpackr-extract). Then better-sqlite3's
# sources and compiler output beside its one binary, and Prisma's source maps (about 40 MB together).
RUN npm run build \
  && npm prune --omit=dev --omit=optional --no-audit --no-fund \
  && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src \
  && find node_modules/better-sqlite3/build -type f ! -name better_sqlite3.node -delete \
  && find node_modules/@prisma/client/runtime -name '*.map' -delete

FROM ${RUNTIME_IMAGE} AS runtime
COPY --from=build /usr/local/bin/node /usr/local/bin/node
RUN groupadd --gid 1000 node \
  && useradd --uid 1000 --gid node --no-log-init --home-dir /app --shell /usr/sbin/nologin node
ENV NODE_ENV=production \
  HOST=0.0.0.0 \
  PORT=8080 \
  SCHEDULER_PORT=8081
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/generated ./generated
COPY --from=build /app/prisma ./prisma
# The /demo page's files, served from the source tree.
COPY --from=build /app/libs/server/demo ./libs/server/demo
# The embedded SQLite file and local previews live under ./data: the only place the app writes.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/apps/gateway/main.js"]

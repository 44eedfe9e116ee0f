# Regatta's image: `buildah bud -t regatta .` or `docker build -t regatta .`
# Multi-stage: dependencies → build (prisma generate, next build, dev dependencies pruned) → a
# runtime of production dependencies, the build and the server's own sources, run as a non-root
# user. The start-up applies migrations under PostgreSQL's advisory lock and never builds
# (REGATTA_PREBUILT=1); SIGTERM drains requests and jobs (see docs/SCALING.md).
# BASE_IMAGE: the official Node.js LTS slim image by default; any glibc image with node ≥ 20.9,
# npm and /bin/sh works (nothing else: no coreutils needed) (the test suite uses one assembled from the test machine's own Node).
ARG BASE_IMAGE=docker.io/library/node:24-bookworm-slim
# BUILD_FROM: where the runtime stage takes /app from. By default the `build` stage below (npm ci,
# next build, prune): `docker build .` and `buildah bud .` build from source. The test suite sets it to
# an image holding a build it already made on the host (same /app layout: .next without its cache,
# node_modules after `npm prune --omit=dev`, the sources), so `npm test` checks this runtime stage in
# minutes; the deps and build stages are then skipped (test/integration/image.test.ts; README).
ARG BUILD_FROM=build

FROM ${BASE_IMAGE} AS deps
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts/no-schema-engine.sh ./scripts/no-schema-engine.sh
RUN npm ci

FROM deps AS build
COPY . .
RUN npx prisma generate && node node_modules/next/dist/bin/next build && npm prune --omit=dev \
 && node -e "fs.rmSync('.next/cache', { recursive: true, force: true })"

FROM ${BUILD_FROM} AS built

FROM ${BASE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 REGATTA_PREBUILT=1 \
    PORT=3000 HOST=0.0.0.0 REGATTA_DATA_DIR=/tmp/regatta
# what runs: production dependencies, the build, and the sources the server process loads itself
# (scripts/start.ts runs Next in its own process and answers the machine routes of app/ itself)
COPY --from=built /app/node_modules ./node_modules
COPY --from=built /app/.next ./.next
COPY --from=built /app/lib ./lib
COPY --from=built /app/app ./app
COPY --from=built /app/scripts ./scripts
COPY --from=built /app/prisma ./prisma
COPY --from=built /app/package.json /app/next.config.js /app/tsconfig.json /app/tsconfig.app.json /app/instrumentation.ts ./
# Next's cache is the one place it writes (a volume in Kubernetes and compose)
# /data: where compose mounts its volume for the audit keys and checkpoint (owned by the app's user)
RUN ["node", "-e", "for (const d of ['.next/cache', '/data']) { fs.mkdirSync(d, { recursive: true }); fs.chownSync(d, 10001, 10001) }"]
USER 10001:10001
EXPOSE 3000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--import", "tsx", "--conditions=react-server", "scripts/start.ts"]

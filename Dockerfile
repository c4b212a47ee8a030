# syntax=docker/dockerfile:1
# attach-key-bot's image (README "Deploying"). Three stages: `build` compiles TypeScript with the
# dev dependencies, `production-dependencies` installs the lockfile without them, and `runtime`
# holds only that node_modules, dist/ and package.json (it says "type": "module").
#
# Base: node:20-bookworm-slim, pinned by digest so a rebuild starts from the same bytes. This digest
# is the one public projects pin for that tag (several Dockerfiles and a build service indexed by
# GitHub code search); check or refresh it with
#   docker buildx imagetools inspect node:20-bookworm-slim
ARG NODE_IMAGE=node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: the only package with one is esbuild (tsx's, a dev tool the build does not run).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
# Pass these at build time (README): the version defaults to package.json's, which a test keeps
# equal; package.json declares no licence, so none is asserted.
ARG VERSION=0.1.0
ARG REVISION=
ARG SOURCE=
ARG LICENSES=NOASSERTION
LABEL org.opencontainers.image.title="attach-key-bot" \
      org.opencontainers.image.description="Slack chat-ops bot that binds an SSH key pair to Volcengine ECS instances after approval" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="${LICENSES}"

# tini as PID 1 forwards SIGTERM to node and reaps children (node is not built to be PID 1). The
# package managers go: nothing runs npm here, and a smaller image has less to patch.
# /app/data is the one writable place (lowdb's DATA_FILE and audit trail); everything else may be
# a read-only root filesystem.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx \
           /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* \
 && mkdir -p /app/data \
 && chown 1000:1000 /app/data

WORKDIR /app
COPY package.json ./
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

# The base image's `node` user, by number so Kubernetes' runAsNonRoot can check it. The code stays
# root-owned: the bot cannot change itself.
USER 1000:1000
VOLUME ["/app/data"]
# PORT: POST /slack/events (HTTP mode) and GET /healthz; METRICS_PORT: GET /metrics.
EXPOSE 3000 9464
STOPSIGNAL SIGTERM
# Node itself, no curl: the image has none. 200 means the store answers (README "Operations").
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# node directly, never npm (npm does not pass SIGTERM on). The doctor: `… node dist/doctor/main.js`.
CMD ["node", "dist/main.js"]

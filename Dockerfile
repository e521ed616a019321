# One image for every role of the graph: the gateway, each subgraph, the schema registry and the migration
# Job. The role is the container's arguments (see README "Deploying"):
#   scripts/gateway.ts                  the gateway       (npm run gateway)
#   scripts/subgraph.ts <name>          one subgraph      (npm run subgraph -- <name>)
#   scripts/registry.ts                 the registry      (npm run registry)
#   scripts/migrate.ts                  migrations, once  (npm run migrate)
# Node runs the TypeScript through tsx's loader (a production dependency), so there is no build step. The
# entry point is node itself, not `npm run`: npm runs a script through `sh -c`, and a SIGTERM to npm ends npm
# and the shell but leaves node running without it — the graceful stop (503 `stopping`, drain) would never
# start, and Kubernetes would kill the process when the container's first process exits.

# The Node version every test runs on (see README "Deploying"); 22 is allowed by engines but untested here.
ARG NODE_VERSION=20

# --- deps: production dependencies only, from the lockfile -------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts is not used: esbuild's install script (under tsx) checks its platform binary.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- web: the owner's web app (/app), built with the development tools (codegen, Vite); only web/dist ships ---
FROM node:${NODE_VERSION}-bookworm-slim AS web
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY platform ./platform
COPY gateway ./gateway
COPY scripts ./scripts
COPY web ./web
RUN npm run web:build

# --- runtime: the sources and the installed packages, as an unprivileged user -------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_CACHE=/tmp/.npm
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
# Sources stay owned by root and read-only to the process: it writes only to /tmp (tsx's compile cache) and,
# when following the registry, to the supergraph cache (SUPERGRAPH_CACHE_PATH; a volume in Kubernetes).
COPY --chown=root:root package.json package-lock.json tsconfig.json ./
COPY --chown=root:root platform ./platform
COPY --chown=root:root gateway ./gateway
COPY --chown=root:root registry ./registry
COPY --chown=root:root subgraphs ./subgraphs
COPY --chown=root:root stack ./stack
COPY --chown=root:root schema ./schema
COPY --chown=root:root scripts ./scripts
# The built app and its persisted-query manifest: the gateway serves it at /app and safelists the manifest as client web.
COPY --from=web --chown=root:root /app/web/dist ./web/dist
# The image's own `node` user (uid 1000); Kubernetes' runAsNonRoot checks the numeric id.
RUN mkdir -p /app/.data && chown 1000:1000 /app/.data
USER 1000:1000
EXPOSE 4000
ENTRYPOINT ["node", "--import=tsx"]
CMD ["scripts/gateway.ts"]

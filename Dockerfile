# syntax=docker/dockerfile:1
# The CommandCenter hub image: `commandcenter up` (API, engine workers, web UI) on port 9002.
# Build from the repository root: docker build -t commandcenter/hub .   (ops/compose.yaml does)

# --- build: every dependency, compile the packages and the web UI, then drop the dev tools ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Manifests first, so that `npm ci` stays cached while only sources change.
COPY package.json package-lock.json .npmrc ./
COPY packages/protocol/package.json packages/protocol/
COPY packages/agent-sdk/package.json packages/agent-sdk/
COPY packages/hub/package.json packages/hub/
COPY packages/web/package.json packages/web/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: the compiled hub, production dependencies and the examples ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    CC_HOST=0.0.0.0 \
    CC_PORT=9002 \
    CC_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 9002
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9002/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "packages/hub/bin/commandcenter.mjs"]
CMD ["up"]

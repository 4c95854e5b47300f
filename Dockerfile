# syntax=docker/dockerfile:1
#
# HazardWatch service image: one image, the command chooses the service
# (docker run IMAGE migrate | ingest | bench ingest). See docs/operations.md.
#
#   docker build -t hazardwatch:local .

# ---- build: install everything, compile with project references ------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app

# Manifests first, so the dependency layer is reused until a manifest or the lock file changes.
# Every workspace listed in the root package.json must appear here (npm ci checks them against
# package-lock.json); add a line when a workspace is added.
COPY package.json package-lock.json ./
COPY services/contracts/package.json services/contracts/
COPY services/core/package.json services/core/
COPY services/store/package.json services/store/
COPY services/ingest/package.json services/ingest/
COPY services/testkit/package.json services/testkit/
COPY services/cli/package.json services/cli/
RUN npm ci --no-audit --no-fund

COPY tsconfig.base.json tsconfig.json ./
COPY services/ services/
# `npm run build` is `tsc -b` over every workspace; then drop dev dependencies (TypeScript, vitest,
# eslint, type packages) from node_modules before it is copied into the runtime image.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: compiled JavaScript and production dependencies only, non-root -----------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app

COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
# Runtime workspaces: package.json (for "exports") and dist. testkit is test-only and stays behind.
COPY --from=build /app/services/contracts/package.json services/contracts/
COPY --from=build /app/services/contracts/dist services/contracts/dist
COPY --from=build /app/services/core/package.json services/core/
COPY --from=build /app/services/core/dist services/core/dist
COPY --from=build /app/services/core/examples services/core/examples
COPY --from=build /app/services/store/package.json services/store/
COPY --from=build /app/services/store/dist services/store/dist
COPY --from=build /app/services/ingest/package.json services/ingest/
COPY --from=build /app/services/ingest/dist services/ingest/dist
COPY --from=build /app/services/cli/package.json services/cli/
COPY --from=build /app/services/cli/dist services/cli/dist

# The official Node image's unprivileged user (uid 1000). Files above stay root-owned: the
# process can read its code but not change it. Embedded mode (no DATABASE_URL / MQTT_URL) would
# write under HW_DATA_DIR, which must then be a writable volume.
USER node

# 9464: GET /healthz, /readyz, /metrics of `ingest` (HW_HEALTH_PORT). 1883 is the broker's, not ours.
EXPOSE 9464
ENTRYPOINT ["node", "services/cli/dist/main.js"]
CMD ["help"]

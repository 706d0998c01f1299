# DataSelectEnv server image. Listens on 8000, the port OpenEnv's launchers map
# (LocalDockerProvider runs `-p <host>:8000`, `openenv push` writes app_port 8000); PORT overrides.
# Build: docker build -t dataselectenv .   Run: docker run -p 8000:8000 -v dse-data:/app/data dataselectenv
# (`npm start` outside the image keeps 7860, the original's and Hugging Face Spaces' port.)

# --- build: dependencies first, so their layer is reused until package-lock.json changes ---
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (the console build) needs the sources, which come in the next layer;
# the image's own Node 24 runs the builds, so the pinned `node` package need not download itself.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build:web && npm run build:server

# --- runtime: the bundled server and the built console, nothing else ---
# The bundle (rolldown) inlines every production dependency and imports only Node built-ins
# (checked by test/server/packaging.test.ts), so the runtime stage needs no node_modules.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    PORT=8000 \
    HOST=0.0.0.0 \
    DATA_DIR=/app/data \
    WEB=1
COPY --from=build --chown=node:node /app/build/server ./build/server
COPY --from=build --chown=node:node /app/web/dist ./web/dist
# The data-set tasks' four small files (datasets/README.md), read at the first reset of such a task.
COPY --from=build --chown=node:node /app/datasets ./datasets
RUN mkdir -p /app/data && chown node:node /app/data
USER node

EXPOSE 8000
VOLUME ["/app/data"]

# Launchers poll /health; node's fetch avoids installing curl into the image.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health').then((r) => r.json()).then((b) => process.exit(b.status === 'healthy' ? 0 : 1), () => process.exit(1))"]

# Node runs as PID 1 directly (no npm wrapper), so SIGTERM reaches the server's graceful shutdown;
# the bundled server is what `npm start` runs.
CMD ["node", "build/server/server.mjs"]

# DataSelectEnv server image: Node 24, runs as the unprivileged `node` user, serves on 7860.
# Build: docker build -t dataselectenv .   Run: docker run -p 7860:7860 -v dse-data:/app/data dataselectenv
FROM node:24-bookworm-slim

WORKDIR /app
ENV PORT=7860 \
    HOST=0.0.0.0 \
    DATA_DIR=/app/data \
    WEB=1

# The whole source tree first: `npm ci` runs the `prepare` script, which builds the web console.
COPY --chown=node:node . .

# The same install command CI runs (.ci/run), as the unprivileged user.
RUN chown node:node /app && mkdir -p /app/data && chown node:node /app/data
USER node
RUN npm ci --no-audit --no-fund
RUN npm run build:server

EXPOSE 7860
VOLUME ["/app/data"]

# Launchers poll /health; node's fetch avoids installing curl into the image.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 7860) + '/health').then((r) => r.json()).then((b) => process.exit(b.status === 'healthy' ? 0 : 1), () => process.exit(1))"]

# Node runs as PID 1 directly (no npm wrapper), so SIGTERM reaches the server's graceful shutdown;
# the bundled server is what `npm start` runs (one file: far less memory than the sources).
CMD ["node", "build/server/server.mjs"]

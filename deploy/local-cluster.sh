#!/usr/bin/env bash
# The docker-compose topology as local processes, for trying replicas without Docker:
# Debian's PostgreSQL (a throw-away cluster), N replicas with the same STORE_URL, Debian's nginx
# with deploy/nginx/nginx.conf in front — all on free loopback ports, state in one directory.
#   deploy/local-cluster.sh start [--replicas N] [--dir DIR] [--bundle]   # prints {"url", "dir", …}
#   deploy/local-cluster.sh stop DIR                                       # stops everything, removes DIR
# Needs: apt-get install postgresql nginx; npm ci. --bundle runs what `npm start` runs
# (build it first with npm run build:server) instead of the TypeScript sources.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node_modules/.bin/node tools/local-cluster.ts "$@"

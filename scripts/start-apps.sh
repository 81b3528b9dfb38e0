#!/usr/bin/env bash
# Starts the seven built apps against .env with prefixed logs (concurrently).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .env ] || { echo "no .env: run scripts/dev-up.sh first" >&2; exit 1; }

cat <<'TXT'
  gateway        http://127.0.0.1:3000   (player edge: use Host alpha.localhost / beta.localhost)
  player         http://127.0.0.1:3001   (/internal/players/*, /internal/common/*)
  agent          http://127.0.0.1:3002   (agent portal)
  admin          http://127.0.0.1:3003   (/api/v1/*, WebSocket /api/v1/ws)
  player-worker  http://127.0.0.1:3011/health
  agent-worker   http://127.0.0.1:3012/health
  admin-worker   http://127.0.0.1:3013/health
TXT

mkdir -p .run
cmds=()
names=()
for app in gateway player player-worker agent agent-worker admin admin-worker; do
  names+=("$app")
  cmds+=("WORKER_HEARTBEAT_FILE=.run/$app.heartbeat node --env-file=.env dist/apps/$app/main.js")
done
exec npx concurrently --kill-others-on-fail --names "$(IFS=,; echo "${names[*]}")" \
  --prefix-colors "blue,green,green,magenta,magenta,cyan,cyan" "${cmds[@]}"

#!/usr/bin/env bash
# One command for a newcomer on a fresh machine: install, create the database
# roles and database if missing (db:setup), migrate, seed the two-brand demo, build and start all seven apps.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "PostgreSQL and Redis"
bash scripts/ensure-services.sh

step "Installing dependencies (npm ci)"
npm ci --no-audit --no-fund

if [ ! -f .env ]; then
  step "Creating .env from .env.example (development keys and tokens)"
  node scripts/make-dev-env.js .env.example .env
fi

step "Building the apps"
npm run build

step "Database roles and database (owner + app role; idempotent)"
node --env-file=.env dist/apps/cli/main.js db:setup

step "Migrating the database as the owner, granting the app role"
node --env-file=.env dist/apps/cli/main.js migrate

step "Seeding the two-brand demo (idempotent)"
node --env-file=.env dist/apps/cli/main.js seed-demo

step "Starting every app (Ctrl-C stops them all)"
exec bash scripts/start-apps.sh

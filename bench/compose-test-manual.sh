#!/usr/bin/env bash
# The hand-written baseline for bench/compose-test.ts: what a pipeline does without ComposeTest.
# Build, `up -d`, poll docker inspect until web is healthy and worker runs, run the tests against
# the published port, `down -v`. Usage: compose-test-manual.sh APP_DIR PROJECT
set -uo pipefail
app=$1 project=$2
cd "$app"
docker-compose -p "$project" build -q >/dev/null || exit 1
docker-compose -p "$project" up -d --no-build >/dev/null 2>&1 || exit 1
until [ "$(docker inspect -f '{{.State.Health.Status}}' "${project}_web_1" 2>/dev/null)" = healthy ] &&
  [ "$(docker inspect -f '{{.State.Status}}' "${project}_worker_1" 2>/dev/null)" = running ]; do
  sleep 0.2
done
echo "manual: ready"
COMPOSE_PROJECT_NAME=$project COMPOSE_WEB_8080=$(docker port "${project}_web_1" 8080/tcp | head -n 1) node tests/smoke.js
code=$?
docker-compose -p "$project" down -v --remove-orphans >/dev/null 2>&1
exit $code

#!/usr/bin/env bash
# The hand-written baseline for bench/compose-test.ts: what a pipeline does without ComposeTest.
# Build, `up -d`, poll docker inspect until web is healthy and worker runs, run the tests against
# the published port, `down -v`. Usage: compose-test-manual.sh APP_DIR PROJECT [COMPOSE...]
# COMPOSE is the Compose the task would run (`docker compose` for v2, the default `docker-compose`
# for v1), so both sides use the same tool; v1 names containers PROJECT_web_1, v2 PROJECT-web-1.
set -uo pipefail
app=$1 project=$2
shift 2
compose=("$@")
[ ${#compose[@]} -gt 0 ] || compose=(docker-compose)
sep=-
[ "${compose[0]}" = docker-compose ] && sep=_
web=${project}${sep}web${sep}1 worker=${project}${sep}worker${sep}1
cd "$app"
"${compose[@]}" -p "$project" build -q >/dev/null || exit 1
"${compose[@]}" -p "$project" up -d --no-build >/dev/null 2>&1 || exit 1
until [ "$(docker inspect -f '{{.State.Health.Status}}' "$web" 2>/dev/null)" = healthy ] &&
  [ "$(docker inspect -f '{{.State.Status}}' "$worker" 2>/dev/null)" = running ]; do
  sleep 0.2
done
echo "manual: ready"
COMPOSE_PROJECT_NAME=$project COMPOSE_WEB_8080=$(docker port "$web" 8080/tcp | head -n 1) node tests/smoke.js
code=$?
"${compose[@]}" -p "$project" down -v --remove-orphans >/dev/null 2>&1
exit $code

#!/usr/bin/env bash
# The example app's integration test, run from outside the containers (ComposeTest's testCommand).
#
# It finds the web service through COMPOSE_WEB_8080 (127.0.0.1:<port>), which ComposeTest sets
# for every published port, or WEB_ADDRESS when you run it by hand. It writes a JUnit file to
# $TEST_RESULTS_DIR (default ./test-results) and exits non-zero when a check fails.
set -uo pipefail

address=${COMPOSE_WEB_8080:-${WEB_ADDRESS:-}}
if [ -z "$address" ]; then
  echo "integration.sh: set COMPOSE_WEB_8080 (ComposeTest does) or WEB_ADDRESS to the web service's host:port." >&2
  exit 2
fi
results_dir=${TEST_RESULTS_DIR:-$PWD/test-results}
mkdir -p "$results_dir"
base="http://$address"
cases=()
failures=0

check() { # check NAME COMMAND...: one test case
  local name=$1 output
  shift
  if output=$("$@" 2>&1); then
    echo "ok   $name"
    cases+=("<testcase classname=\"example\" name=\"$name\"/>")
  else
    echo "FAIL $name: $output"
    failures=$((failures + 1))
    output=${output//&/&amp;}; output=${output//</&lt;}; output=${output//>/&gt;}; output=${output//\"/&quot;}
    cases+=("<testcase classname=\"example\" name=\"$name\"><failure message=\"$output\"/></testcase>")
  fi
}

get() { curl -fsS --max-time 5 "$base$1"; }

home_page() { get / | grep -q 'outerloop demo' || { echo "the home page does not say 'outerloop demo'"; return 1; }; }
health() { [ "$(get /health)" = ok ] || { echo "/health did not answer ok"; return 1; }; }
worker_progress() { # the worker writes through the shared volume and the web service serves it
  local i status
  for i in $(seq 1 20); do
    status=$(get /data/status.txt 2>/dev/null || true)
    case $status in "processed "[0-9]*) [ "${status#processed }" -ge 2 ] && return 0 ;; esac
    sleep 0.5
  done
  echo "no progress from the worker on /data/status.txt (last: '${status:-nothing}')"
  return 1
}

check "home page" home_page
check "health endpoint" health
check "worker progress through the shared volume" worker_progress

{
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo "<testsuites><testsuite name=\"example integration\" tests=\"${#cases[@]}\" failures=\"$failures\">"
  printf '%s\n' "${cases[@]}"
  echo '</testsuite></testsuites>'
} >"$results_dir/integration.xml"
echo "$((${#cases[@]} - failures)) of ${#cases[@]} checks passed; results in $results_dir/integration.xml"
[ "$failures" -eq 0 ]

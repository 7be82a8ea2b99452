#!/bin/sh
# Processes one job a second and records the count on the shared volume (written to a temporary
# file, then renamed, so the web service never serves half a file).
set -eu
out=${DATA_DIR:-/data}
n=0
echo "worker started, writing to $out/status.txt"
while true; do
  n=$((n + 1))
  echo "processed $n" > "$out/.status.tmp"
  mv "$out/.status.tmp" "$out/status.txt"
  sleep 1
done

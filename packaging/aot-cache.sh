#!/usr/bin/env sh
# aot-cache.sh JAVA HOME CACHE LOG: trains the AOT caches of the tandem tree at HOME into CACHE
# (a stdio session) and CACHE's -http.aot sibling (an HTTP one; packaging/train.py), if JAVA (the
# runtime HOME/bin/tandem will start) can write one: JDK 24+.
# Without one tandem starts slower and is otherwise the same, so a failure only says so.
set -u
java=$1 home=$2 cache=$3 log=$4

# The probe writes to a scratch file: the JVM replaces its AOT output path, and a probe aimed at
# /dev/null once replaced the machine's /dev/null with a regular file.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
"$java" -XX:AOTCacheOutput="$probe/probe.aot" -version >/dev/null 2>&1 || exit 0

if ! TANDEM_TRACE_DIR=off "${PYTHON:-python3}" "$(dirname "$0")/train.py" "$home" "$cache" >/dev/null 2>"$log"; then
  rm -f "$cache"
  echo "AOT training run failed (see $log); tandem starts without a cache" >&2
fi
# serve --http's own cache, beside it (bin/tandem picks it for --http).
http_cache="${cache%.aot}-http.aot"
if ! TANDEM_TRACE_DIR=off "${PYTHON:-python3}" "$(dirname "$0")/train.py" "$home" "$http_cache" --http >/dev/null 2>>"$log"; then
  rm -f "$http_cache"
  echo "AOT training run over HTTP failed (see $log); tandem serve --http starts with the stdio cache" >&2
fi

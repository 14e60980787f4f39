#!/usr/bin/env sh
# aot-cache.sh JAVA HOME CACHE LOG [HTTP_CACHE]: trains the AOT cache of the tandem tree at HOME
# into CACHE from a stdio session, and HTTP_CACHE (CACHE's -http.aot sibling, which bin/tandem
# picks for --http) from an HTTP one (packaging/train.py), if JAVA (the runtime HOME/bin/tandem
# will start) can write one: JDK 24+. The tarball ships the stdio cache only: the HTTP one is
# another ~33 MiB, past DistributionTest's size budget.
# Without one tandem starts slower and is otherwise the same, so a failure only says so.
set -u
java=$1 home=$2 cache=$3 log=$4 http_cache=${5:-}

# The probe writes to a scratch file: the JVM replaces its AOT output path, and a probe aimed at
# /dev/null once replaced the machine's /dev/null with a regular file.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
"$java" -XX:AOTCacheOutput="$probe/probe.aot" -version >/dev/null 2>&1 || exit 0

if ! TANDEM_TRACE_DIR=off "${PYTHON:-python3}" "$(dirname "$0")/train.py" "$home" "$cache" >/dev/null 2>"$log"; then
  rm -f "$cache"
  echo "AOT training run failed (see $log); tandem starts without a cache" >&2
fi
# serve --http's own cache, where asked for (bin/tandem picks CACHE's -http.aot sibling for --http).
[ -n "$http_cache" ] || exit 0
if ! TANDEM_TRACE_DIR=off "${PYTHON:-python3}" "$(dirname "$0")/train.py" "$home" "$http_cache" --http >/dev/null 2>>"$log"; then
  rm -f "$http_cache"
  echo "AOT training run over HTTP failed (see $log); tandem serve --http starts with the stdio cache" >&2
fi

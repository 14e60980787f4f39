#!/usr/bin/env bash
# Builds dist/tandem-<version>-linux-x86_64.tar.gz: a jlink-trimmed Java runtime, the daemon,
# the tandem Python package, the examples and bin/tandem. Needs only python3 >= 3.11 to run.
# Called by `make dist` with JAVA_HOME set to a JDK >= 21.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -n1)
version=${version%-SNAPSHOT}
name="tandem-${version}-linux-x86_64"
stage="dist/${name}"
rm -rf "$stage" "dist/${name}.tar.gz"
mkdir -p "$stage/libexec/lib" "$stage/bin"

cp supervisor/target/tandem.jar "$stage/libexec/"
# The jars tandem.jar's manifest names (its Class-Path, lib/NAME.jar), not all of target/lib:
# copy-dependencies never deletes, so a jar a dependency change dropped would otherwise ship.
classpath=$(python3 -c '
import sys, zipfile
manifest = zipfile.ZipFile(sys.argv[1]).read("META-INF/MANIFEST.MF").decode()
for line in manifest.replace("\r\n", "\n").replace("\n ", "").splitlines():
    if line.startswith("Class-Path: "): print(line[len("Class-Path: "):])
' supervisor/target/tandem.jar)
for jar in $classpath; do cp "supervisor/target/$jar" "$stage/libexec/lib/"; done

# Only the JDK modules the daemon uses: jdeps reads them off the jars; jdk.unsupported is
# Netty's sun.misc.Unsafe access, which jdeps reports only as a reflective use.
modules=$("$JAVA_HOME/bin/jdeps" --multi-release "$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')" \
  --ignore-missing-deps --print-module-deps \
  --class-path "$stage/libexec/lib/*" "$stage/libexec/tandem.jar" | tail -n1)
modules="${modules},jdk.unsupported"
# jdeps also lists what jackson-databind declares optional ('requires static' in its module-info)
# and reaches only for types tandem never maps: java.desktop (java.beans annotations, loaded
# behind a check), java.sql (java.sql.Date and friends) and java.xml (DOM nodes). Without them
# the runtime sheds AWT, fonts and the XML stack: about a third of its size.
# h2-mvstore (the task store) names java.sql in its JDBC exception classes and java.management
# for a memory reading; the store tandem opens loads neither.
optional="java.desktop java.sql java.xml java.management"
modules=$(echo "$modules" | tr , '\n' | grep -vxF -f <(echo "$optional" | tr ' ' '\n') | paste -sd, -)
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress=zip-6 --output "$stage/runtime"
# The JDK's libjvm.so carries its full symbol table (.symtab, ~5 MB of 29): only a native
# debugger or an hs_err report's JVM-internal frame names use it, and the exported symbols
# (.dynsym) stay. Without it the runtime fits the tarball's 75 MB unpacked budget.
if command -v strip >/dev/null; then
  strip --strip-unneeded "$stage/runtime/lib/server/libjvm.so"
fi

cp bin/tandem "$stage/bin/"
# The CycloneDX SBOM of the jars in libexec/lib (made by the build: cyclonedx-maven-plugin),
# and the systemd user unit.
mkdir -p "$stage/share/systemd"
cp supervisor/target/tandem-sbom.cdx.json "$stage/share/"
cp packaging/systemd/tandem.service "$stage/share/systemd/"
mkdir -p "$stage/reasoning-python"
cp -r reasoning-python/tandem "$stage/reasoning-python/"
cp -r examples "$stage/"
cp README.md "$stage/"
cp -r docs "$stage/"   # README links docs/ARCHITECTURE.md
find "$stage" -name __pycache__ -type d -prune -exec rm -rf {} +
# Fresh bytecode for the interpreter building the tarball (others compile their own): a worker
# that may not write __pycache__ (PYTHONDONTWRITEBYTECODE, a read-only install) would otherwise
# compile the whole package at every start.
python3 -m compileall -q "$stage/reasoning-python/tandem" "$stage/examples" >/dev/null

# An AOT cache from a short training run (JDK 25: -XX:AOTCacheOutput): the classes the daemon
# loads to answer initialize and a tool call are then mapped, not parsed and linked, at start.
packaging/aot-cache.sh "$stage/runtime/bin/java" "$stage" "$stage/libexec/tandem.aot" dist/train.log

tar -C dist -czf "dist/${name}.tar.gz" "$name"
size=$(du -h "dist/${name}.tar.gz" | cut -f1)
unpacked=$(du -sh "$stage" | cut -f1)
start_ms=$(python3 packaging/train.py "$stage" --measure)
deps=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["components"]))' "$stage/share/tandem-sbom.cdx.json")
echo "dist/${name}.tar.gz: ${size} (${unpacked} unpacked, ${deps} runtime dependencies in share/tandem-sbom.cdx.json); initialize answered ${start_ms} ms after exec"

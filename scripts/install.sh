#!/usr/bin/env bash
# Installs fluxiond, the fluxion CLI, the product's detector plugins, the systemd unit, an example
# configuration and the docs under PREFIX.
# Usage: scripts/install.sh PREFIX [BUILD_DIR]     (BUILD_DIR: default .build/release)
#
#   PREFIX/bin/fluxiond, PREFIX/bin/fluxion
#   PREFIX/lib/fluxion/plugins/lib{threshold,lof,pinn}.so   (fluxiond's default plugin directory
#                                                       when it runs from PREFIX/bin)
#   PREFIX/lib/systemd/system/fluxiond.service
#   PREFIX/share/fluxion/fluxiond.yaml.example, PREFIX/share/doc/fluxion/
#   PREFIX/share/fluxion/models/*.model   (the shipped PINN models: a detector loaded without a
#                                          model gets PLUGIN-SCENARIO.model from here)
# The binaries use the Swift runtime of the toolchain they were built with (its path is in their
# run path), so the machine must have that toolchain installed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
prefix=${1:?usage: scripts/install.sh PREFIX [BUILD_DIR]}
build=${2:-$root/.build/release}
case "$prefix" in /*) ;; *) prefix=$(pwd)/$prefix ;; esac
for f in fluxiond fluxion libFluxionThreshold.so libFluxionLof.so libFluxionPinn.so; do
  [ -e "$build/$f" ] || { echo "install: $build/$f is missing (build first: swift build -c release)" >&2; exit 1; }
done
install -d "$prefix/bin" "$prefix/lib/fluxion/plugins" "$prefix/lib/systemd/system" \
  "$prefix/share/fluxion/models" "$prefix/share/doc/fluxion"
install -m 755 "$build/fluxiond" "$build/fluxion" "$prefix/bin/"
# Only the product's plugins, under the names users load them by.
install -m 644 "$build/libFluxionThreshold.so" "$prefix/lib/fluxion/plugins/libthreshold.so"
install -m 644 "$build/libFluxionLof.so" "$prefix/lib/fluxion/plugins/liblof.so"
install -m 644 "$build/libFluxionPinn.so" "$prefix/lib/fluxion/plugins/libpinn.so"
install -m 644 "$root"/Plugins/PINN/models/*.model "$prefix/share/fluxion/models/"
sed "s|@PREFIX@|$prefix|g" "$root/scripts/install/fluxiond.service" > "$prefix/lib/systemd/system/fluxiond.service"
sed "s|@PREFIX@|$prefix|g" "$root/scripts/install/fluxiond.yaml" > "$prefix/share/fluxion/fluxiond.yaml.example"
install -m 644 "$root/README.md" "$prefix/share/doc/fluxion/"
install -m 644 "$root"/docs/*.md "$prefix/share/doc/fluxion/"
echo "installed under $prefix"

#!/usr/bin/env bash
# `npm test`: everything, on a fresh machine too. Installs the system packages the suites need
# (Chromium and its headless shell, docker-registry, skopeo, umoci, htpasswd, haproxy, buildah) when missing, then runs unit tests beside
# the production build, type checks, integration tests against real PostgreSQL and registries, and Playwright in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
results=.test-data/results
rm -rf "$results" && mkdir -p "$results"

# one line per phase with its duration, so a CI log shows where the time goes
t_run=$SECONDS
t_phase=$SECONDS
phase_name="set-up (system packages, npm ci, prisma generate)"
phase() {
  echo "== [time] ${phase_name}: $((SECONDS - t_phase)) s (total $((SECONDS - t_run)) s)"
  t_phase=$SECONDS
  phase_name=$1
  [ -z "$1" ] || echo "== $1"
}
trap '[ -z "$phase_name" ] || echo "== [time] ${phase_name}: $((SECONDS - t_phase)) s until it stopped (total $((SECONDS - t_run)) s)"' EXIT

bash scripts/ensure-system-deps.sh
if [ ! -d node_modules/.bin ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
[ -f lib/generated/prisma/client.ts ] || npx prisma generate

phase "unit tests, and beside them the production build (once; the integration and end-to-end suites start it)"
# the build does not check types: tsc checks every file just after, with the route types the build writes
REGATTA_BUILD_TYPECHECKED=1 node --import tsx --conditions=react-server scripts/start.ts --build > "$results/build.log" 2>&1 & build=$!
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json="$results/unit.json"
build_status=0
wait "$build" || build_status=$?
cat "$results/build.log"
[ "$build_status" = 0 ] || { echo "the production build failed (exit $build_status)"; exit 1; }

phase "type check (every file, and the route types the build wrote in .next/types)"
npx tsc --noEmit -p tsconfig.json

phase "integration tests (embedded PostgreSQL, real registries)"
npx vitest run --project integration --reporter=default --reporter=json --outputFile.json="$results/integration.json"

phase "end-to-end tests (Chromium, two lanes side by side, each with its own app and database)"
# playwright.config.ts splits the specs between the lanes by their measured seconds; each lane's lines
# carry its number. Both lanes run to the end; the summary below counts both.
e2e_lane() {
  E2E_LANE="$1/2" E2E_PORT="$2" E2E_DIR=".test-data/e2e-lane$1" PLAYWRIGHT_JSON_OUTPUT_NAME="$results/e2e-$1.json" \
    npx playwright test --reporter=list,json 2>&1 | sed -u "s/^/[lane $1] /"
}
e2e_lane 1 "${E2E_PORT:-3210}" & lane1=$!
e2e_lane 2 "$(( ${E2E_PORT:-3210} + 1 ))" & lane2=$!
e2e_status=0
wait "$lane1" || e2e_status=$?
wait "$lane2" || e2e_status=$?
echo "== end-to-end lanes finished (exit $e2e_status)"

phase ""
node scripts/test-summary.mjs "$results"

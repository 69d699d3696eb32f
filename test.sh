#!/usr/bin/env bash
# The project's one test command.
#
#   ./test.sh                          # start PostgreSQL, Redis, RabbitMQ; build; run every test
#   ./test.sh --filter-class "*Inventory*"   # extra arguments go to `dotnet test` (xunit v3 on MTP)
#   OMS_TEST_SKIP_SERVICES=1 ./test.sh # no servers (SQLite-only quick run)
#
# The last line of output is always `N passed, N failed, N skipped` (read by CI).
# Exits non-zero when the build fails, any test fails, or no test ran.
set -euo pipefail

cd "$(dirname "$0")"
root=$PWD

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# do not leave MSBuild worker nodes running after the script ends
export MSBUILDDISABLENODEREUSE=1

dir=$(mktemp -d "${TMPDIR:-/tmp}/oms-test.XXXXXX")
services_started=0

cleanup() {
  # idempotent: runs once explicitly before the summary and again (as a no-op) from the trap
  if ((services_started)); then
    services_started=0
    "$root/scripts/services.sh" stop "$dir" || echo "test.sh: warning: stopping the services failed" >&2
  fi
  if [[ -n $dir && -d $dir ]]; then
    rm -rf "$dir"
  fi
  dir=
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ ${OMS_TEST_SKIP_SERVICES:-0} == 1 ]]; then
  echo "test.sh: OMS_TEST_SKIP_SERVICES=1, not starting PostgreSQL/Redis/RabbitMQ" >&2
else
  services_started=1
  if ! "$root/scripts/services.sh" start "$dir"; then
    echo "test.sh: could not start the services" >&2
    cleanup
    echo "0 passed, 0 failed, 0 skipped"
    exit 1
  fi
  # shellcheck disable=SC1091
  source "$dir/env"
fi

build_ok=1
test_rc=0
results=$dir/results

if ! dotnet build Oms.slnx -c Release; then
  build_ok=0
  echo "test.sh: build failed" >&2
else
  # Microsoft.Testing.Platform (global.json): xunit writes one TRX per test project
  dotnet test --solution Oms.slnx -c Release --no-build \
    --results-directory "$results" \
    --report-xunit-trx \
    --no-progress \
    "$@" || test_rc=$?
fi

# keep the TRX files after the temporary folder is gone (TestResults/ is git-ignored)
if compgen -G "$results/*.trx" >/dev/null; then
  mkdir -p "$root/TestResults"
  rm -f "$root/TestResults"/*.trx
  cp "$results"/*.trx "$root/TestResults/"
fi

# sum the Counters of the TRX files in a folder: prints "passed failed skipped total files"; names every test that
# did not pass on stderr (with the first lines of its message: CI shows the tail of the output) and writes their method
# names, one per line, to the file given second
summarize() {
  python3 - "$1" "$2" <<'EOF'
import glob, os, sys
import xml.etree.ElementTree as ET

passed = failed = skipped = total = files = 0
failures, methods = [], set()
tag = lambda el: el.tag.rsplit("}", 1)[-1]
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.trx"))):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        print(f"test.sh: cannot read {path}: {e}", file=sys.stderr)
        failed += 1
        continue
    files += 1
    for el in root.iter():
        if tag(el) != "Counters":
            continue
        n = lambda k: int(el.get(k, "0") or 0)
        total += n("total")
        passed += n("passed")
        # outcomes that are not a pass and not a skip count as failures
        failed += n("failed") + n("error") + n("timeout") + n("aborted")
        skipped += n("notExecuted")
    for r in root.iter():
        if tag(r) != "UnitTestResult" or r.get("outcome") in ("Passed", "NotExecuted"):
            continue
        msg = next((m.text for m in r.iter() if tag(m) == "Message" and m.text), "")
        lines = [l for l in msg.strip().splitlines() if l.strip()][:6]
        failures.append(f"FAILED {r.get('testName')} ({r.get('outcome')}, {r.get('duration')})" +
                        "".join("\n    " + l[:300] for l in lines))
        methods.add(r.get("testName").split("(", 1)[0].strip())
print(passed, failed, skipped, total, files)
for f in failures:
    print(f, file=sys.stderr)
with open(sys.argv[2], "w") as out:
    out.writelines(m + "\n" for m in sorted(methods))
EOF
}

counts=$(summarize "$results" "$dir/failed.txt") || counts="0 1 0 0 0"
read -r passed failed skipped total files <<<"$counts"

# A few failures (at most 3 tests) are run once more, alone. One that passes then is reported as FLAKY: it does not
# fail the run, but it is named at the end of the output so that it gets fixed. A test that fails again fails the run;
# more failures than that are a real breakage and are not re-run.
if ((build_ok && failed > 0 && failed <= 3)) && [[ -s $dir/failed.txt ]] && (($(wc -l <"$dir/failed.txt") <= 3)); then
  echo "test.sh: re-running the $failed failed test(s) once, alone" >&2
  filters=()
  while IFS= read -r m; do filters+=(--filter-method "$m"); done <"$dir/failed.txt"
  rerun_rc=0
  dotnet test --solution Oms.slnx -c Release --no-build --results-directory "$results/rerun" \
    --report-xunit-trx --no-progress "${filters[@]}" >"$dir/rerun.log" 2>&1 || rerun_rc=$?
  recounts=$(summarize "$results/rerun" "$dir/failed-again.txt") || recounts="0 1 0 0 0"
  read -r re_passed re_failed _ _ re_files <<<"$recounts"
  if ((re_files > 0 && re_passed + re_failed > 0)); then
    # what passed alone is flaky (named, not failing the run); what failed again stays failed
    while IFS= read -r m; do
      grep -qxF "$m" "$dir/failed-again.txt" ||
        echo "FLAKY $m: failed in the full run, passed when run again alone" >&2
    done <"$dir/failed.txt"
    passed=$((passed + re_passed))
    failed=$re_failed
    ((failed == 0)) && test_rc=0
  fi
  if ((rerun_rc != 0)); then
    echo "test.sh: the re-run failed too" >&2
    tail -n 40 "$dir/rerun.log" >&2 || true
  fi
fi

cleanup

rc=0
if ((!build_ok)); then
  rc=1
elif ((test_rc != 0)); then
  echo "test.sh: dotnet test exited with $test_rc" >&2
  rc=$test_rc
fi
if ((build_ok && files == 0)); then
  echo "test.sh: no TRX results were written" >&2
  rc=1
fi
if ((failed > 0)); then
  rc=1
fi
if ((passed + failed == 0)); then
  echo "test.sh: no test ran" >&2
  rc=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit "$rc"

#!/usr/bin/env bash
# Adds a migration for both providers: scripts/migrations.sh add NAME
# Installations exist: never edit or regenerate a shipped migration, always add a new one.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
case "${1:-}" in
  add)
    name="${2:?migration name}"
    for p in Sqlite Postgres; do
      dotnet ef migrations add "$name" --project "src/Oms.Migrations.$p" --startup-project "src/Oms.Migrations.$p" --output-dir Migrations
    done ;;
  *) echo "usage: $0 add NAME" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Adds a migration for both providers: scripts/migrations.sh add NAME
# (re)creates the initial one while nothing has shipped: scripts/migrations.sh reset
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
case "${1:-}" in
  add)
    name="${2:?migration name}"
    for p in Sqlite Postgres; do
      dotnet ef migrations add "$name" --project "src/Oms.Migrations.$p" --startup-project "src/Oms.Migrations.$p" --output-dir Migrations
    done ;;
  reset)
    rm -rf src/Oms.Migrations.Sqlite/Migrations src/Oms.Migrations.Postgres/Migrations
    for p in Sqlite Postgres; do
      dotnet ef migrations add Initial --project "src/Oms.Migrations.$p" --startup-project "src/Oms.Migrations.$p" --output-dir Migrations
    done ;;
  *) echo "usage: $0 add NAME | reset" >&2; exit 2 ;;
esac

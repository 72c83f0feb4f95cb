#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster made for it, as the benchmarks measure the gateway on
# PostgreSQL: Debian's `postgresql` (installed when missing), `initdb` into a temporary folder (as the `postgres`
# user when run as root), a free loopback port, durable as in service (fsync on, synchronous_commit=on), and an empty
# database `mail2sms`. The command sees its connection string in MAIL2SMS_BENCH_POSTGRES; the cluster is stopped and
# its folder deleted when the command ends. The same recipe as tests/Shared/Postgres/PostgresServer.cs, except
# that the tests' cluster runs with fsync off.
#   bench/with-postgres.sh COMMAND [ARGS...]
#   e.g. bench/with-postgres.sh dotnet run -c Release --project bench/Mail2Sms.Bench -- delivery-drain --store postgres
set -euo pipefail
shopt -s inherit_errexit
if [ $# -eq 0 ]; then echo "usage: bench/with-postgres.sh COMMAND [ARGS...]" >&2; exit 2; fi

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi

folder=$(mktemp -d /tmp/mail2sms-bench-pg.XXXXXX)
as_owner=()
if [ "$(id -u)" = 0 ]; then
  # initdb refuses root: the cluster belongs to the package's postgres user, who must reach its folder.
  chmod 755 "$folder"
  chown postgres "$folder"
  as_owner=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() { "${as_owner[@]}" "$bin/pg_ctl" -D "$folder/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$folder"; }
trap stop EXIT

"${as_owner[@]}" "$bin/initdb" -D "$folder/data" -U postgres --auth=trust -E UTF8 >"$folder/initdb.log"
"${as_owner[@]}" "$bin/pg_ctl" -D "$folder/data" -l "$folder/postgres.log" -w -o \
  "-p $port -k $folder -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=200 -c shared_buffers=128MB" \
  start >/dev/null
"$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres mail2sms

export MAIL2SMS_BENCH_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=mail2sms"
"$@"

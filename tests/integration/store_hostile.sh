#!/bin/sh
# triplinectl reads events.db, which the collector's user can write, as
# root: a database whose tables were swapped for views (content of the
# writer's choosing, computed by the reader) is refused, and triplinectl
# reads as the file's owner.
. "$top_srcdir/tests/lib/testlib.sh"
command -v sqlite3 >/dev/null || { echo "Bail out! sqlite3 CLI missing"; exit 99; }

CTL=$top_builddir/triplinectl
T=$(mktemp -d /tmp/tripline-hostile.XXXXXX)
chmod 755 "$T"
trap 'san_check; rm -rf "$T"' EXIT
S=$T/state
mkdir -m 0755 "$S"
DB=$S/events.db

plan 6
sqlite3 "$DB" "PRAGMA journal_mode=WAL;
CREATE TABLE processes(exec_id TEXT, pid INTEGER, binary TEXT,
  arguments TEXT, cwd TEXT, uid INTEGER, exit_code INTEGER,
  exit_signal INTEGER);
CREATE TABLE real_events(id INTEGER PRIMARY KEY, time TEXT, type TEXT,
  exec_id TEXT, parent_exec_id TEXT, policy_name TEXT, function_name TEXT,
  action TEXT);
CREATE VIEW events AS SELECT 1 AS id, 'HOSTILE-' || sqlite_version() AS time,
  'HOSTILE' AS type, NULL AS exec_id, NULL AS parent_exec_id,
  NULL AS policy_name, NULL AS function_name, NULL AS action;" >/dev/null
# the files as a running collector leaves them (it keeps -wal and -shm),
# then triplinectl tail on them: its output in out, its status in rc
tail_db() {
	touch "$DB-wal" "$DB-shm"
	if [ "$(id -u)" -eq 0 ] && id tripline >/dev/null 2>&1; then
		chown tripline "$DB" "$DB-wal" "$DB-shm"
	fi
	out=$(timeout 20 "$CTL" -S "$S" tail --no-follow -n 5 2>&1)
	rc=$?
}
tail_db
check "tail on a database whose events table is a view fails" [ $rc -ne 0 ]
case $out in *HOSTILE*) not_ok "the view's rows are not shown"; diag "$out" ;;
*) ok "the view's rows are not shown" ;; esac
like "the error says why" "$out" 'view'
# the same with parts (schema 8): the table a part names is a view
rm -f "$DB" "$DB-wal" "$DB-shm"
sqlite3 "$DB" "PRAGMA journal_mode=WAL;
CREATE TABLE processes(exec_id TEXT, pid INTEGER, binary TEXT,
  arguments TEXT, cwd TEXT, uid INTEGER, exit_code INTEGER,
  exit_signal INTEGER);
CREATE TABLE events_parts(part INTEGER PRIMARY KEY, first_id INTEGER,
  created_ns INTEGER);
INSERT INTO events_parts VALUES (1, 1, 0);
CREATE VIEW events_part_1 AS SELECT 1 AS id, 'HOSTILE-' || sqlite_version()
  AS time, 0 AS time_ns, 'HOSTILE' AS type, NULL AS exec_id,
  NULL AS parent_exec_id, NULL AS policy_name, NULL AS function_name,
  NULL AS action, NULL AS args, NULL AS return_value, NULL AS message,
  NULL AS tags, NULL AS actions, NULL AS monitor_would, 0 AS late;" >/dev/null
tail_db
check "tail on a database whose part is a view fails" [ $rc -ne 0 ]
case $out in *HOSTILE*) not_ok "...and the view's rows are not shown"; diag "$out" ;;
*) ok "...and the view's rows are not shown" ;; esac
# a symlink in place of events.db is refused
mv "$DB" "$S/real.db"
ln -s real.db "$DB"
timeout 20 "$CTL" -S "$S" tail --no-follow -n 5 >/dev/null 2>&1
check "events.db as a symlink is refused" [ $? -ne 0 ]
finish

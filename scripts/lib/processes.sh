# Background processes with pid files, shared by scripts/infra and scripts/services.
# Callers set RUN (pid files) and define say().
#
# A launched process leads its own process group (setsid), so the pid in its
# pid file is also the group id: stopping it stops everything it started.

# Whether the process runs. kill -0 alone also succeeds for a process that
# was just SIGKILLed and not yet reaped (a zombie: its parent, often PID 1
# after the launching shell exited, reaps it later, here up to seconds later),
# which made `start` right after a kill -9 skip the service and then fail.
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local state
  state="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z* ]]
}

# Live (not zombie) members of process group $1, one pid a line.
group_members() {
  ps -e -o pid=,pgid=,stat= 2>/dev/null | awk -v g="$1" '$2 == g && $3 !~ /^Z/ { print $1 }'
}

pid_of() {
  local f="$RUN/$1.pid"
  [[ -f "$f" ]] || return 1
  local pid
  pid="$(cat "$f")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid"; then echo "$pid"; else return 1; fi
}

launch() { # name logfile command...
  local name="$1" log="$2"; shift 2
  mkdir -p "$RUN" "$(dirname "$log")"
  # the previous run's log is kept beside (it says why that run ended)
  if [[ -s "$log" ]]; then mv -f "$log" "$log.1"; fi
  : > "$log"
  # setsid: the process outlives this shell and gets its own process group, so stop_process stops all of it
  setsid "$@" >>"$log" 2>&1 < /dev/null &
  echo $! > "$RUN/$name.pid"
}

# Stops the process group of a pid file: SIGTERM, then SIGKILL after the grace
# period. Waits for every member, not only the leader, so nothing that still
# holds a port or a group membership survives; and also stops members left
# behind by a leader that died (e.g. a kill -9 of the leader alone).
stop_process() { # name [grace-seconds]
  local name="$1" grace="${2:-30}" pid
  [[ -f "$RUN/$name.pid" ]] || return 0
  pid="$(cat "$RUN/$name.pid")"
  if ! [[ "$pid" =~ ^[0-9]+$ ]] || [[ -z "$(group_members "$pid")" ]]; then rm -f "$RUN/$name.pid"; return 0; fi
  if alive "$pid"; then say "stopping $name (pid $pid)"; else say "stopping what is left of $name (process group $pid)"; fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + grace))
  while [[ -n "$(group_members "$pid")" ]] && ((SECONDS < deadline)); do sleep 0.2; done
  if [[ -n "$(group_members "$pid")" ]]; then
    say "$name did not stop within $grace s; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while [[ -n "$(group_members "$pid")" ]] && ((SECONDS < deadline)); do sleep 0.1; done
  fi
  rm -f "$RUN/$name.pid"
}

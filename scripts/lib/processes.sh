# Background processes with pid files, shared by scripts/infra and scripts/services.
# Callers set RUN (pid files) and define say().

pid_of() {
  local f="$RUN/$1.pid"
  [[ -f "$f" ]] || return 1
  local pid
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then echo "$pid"; else return 1; fi
}

launch() { # name logfile command...
  local name="$1" log="$2"; shift 2
  mkdir -p "$RUN" "$(dirname "$log")"
  : > "$log"
  # setsid: the process outlives this shell and gets its own process group, so stop_process stops all of it
  setsid "$@" >>"$log" 2>&1 < /dev/null &
  echo $! > "$RUN/$name.pid"
}

stop_process() { # name [grace-seconds]
  local name="$1" grace="${2:-30}" pid
  pid="$(pid_of "$name")" || { rm -f "$RUN/$name.pid"; return 0; }
  say "stopping $name (pid $pid)"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name did not stop within $grace s; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/$name.pid"
}

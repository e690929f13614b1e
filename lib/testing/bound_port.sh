# Shell tests source this to start services on port 0 and learn the port the kernel chose from
# the service's "... (port N)" log line. Picking a "free" port first and passing it races with
# every other test on the machine that binds or connects in between.

# bound_port LOG PATTERN PID: prints N from the first line of LOG matching "PATTERN ... (port N)",
# waiting up to 10 s while PID runs. Returns 1 if PID exits or the line never appears.
bound_port() {
  local log=$1 pattern=$2 pid=$3 line _
  for _ in $(seq 1 200); do
    line=$(grep -m1 -E -- "${pattern}.*\\(port [0-9]+\\)" "$log" 2>/dev/null || true)
    if [[ -n "$line" ]]; then
      sed -E 's/.*\(port ([0-9]+)\).*/\1/' <<<"$line"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

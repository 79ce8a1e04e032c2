// The single remote bash loop behind `wait_for`: probe, sleep, repeat, all on the host (one round trip).

/** Exit code of the script when the deadline passes. */
export const TIMED_OUT = 3;

/**
 * Positional parameters: $1 host, $2 port ('' for a path), $3 path, $4 state, $5 timeout, $6 delay, $7 sleep.
 * Ports are probed with bash's /dev/tcp under `timeout 1`, so a filtered port cannot hang one probe.
 * Prints `elapsed=N` on success.
 */
export const WAIT_SCRIPT = [
  'host=$1 port=$2 path=$3 state=$4 limit=$5 delay=$6 pause=$7',
  'sleep "$delay"',
  'start=$SECONDS',
  'probe() {',
  '  if [ -n "$port" ]; then timeout 1 bash -c \'exec 3<>"/dev/tcp/$0/$1"\' "$host" "$port" 2>/dev/null',
  '  elif [ -n "$path" ]; then test -e "$path"',
  '  else return 1; fi',
  '}',
  'while :; do',
  '  if [ -z "$port" ] && [ -z "$path" ]; then sleep "$limit"; echo "elapsed=$((SECONDS - start))"; exit 0; fi',
  '  if probe; then up=1; else up=0; fi',
  '  case "$state" in',
  '    started|present) [ "$up" = 1 ] && { echo "elapsed=$((SECONDS - start))"; exit 0; } ;;',
  '    *) [ "$up" = 0 ] && { echo "elapsed=$((SECONDS - start))"; exit 0; } ;;',
  '  esac',
  `  [ $((SECONDS - start)) -ge "$limit" ] && exit ${TIMED_OUT}`,
  '  sleep "$pause"',
  'done',
].join('\n');

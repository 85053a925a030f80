# Sourced by the project's scripts: exports JAVA_HOME pointing at a JDK >= 21.
# Honours an existing JAVA_HOME when it is >= 21, else searches the usual JVM directories.
java_major() { "$1/bin/java" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'; }

pick_java_home() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_major "$JAVA_HOME")" -ge 21 ] 2>/dev/null; then
    return 0
  fi
  local best="" best_major=0 dir major
  for dir in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$dir/bin/java" ] && [ -x "$dir/bin/javac" ] || continue
    major=$(java_major "$dir")
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null && [ "$major" -gt "$best_major" ]; then
      best="$dir"; best_major="$major"
    fi
  done
  if [ -z "$best" ]; then
    echo "error: synthia-bot needs a JDK 21 or newer (found none in JAVA_HOME or /usr/lib/jvm)." >&2
    echo "       Install one (e.g. Temurin 21/25) or set JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME="$best"
}

pick_java_home || exit 1
export PATH="$JAVA_HOME/bin:$PATH"

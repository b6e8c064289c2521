#!/usr/bin/env bash
# Worker benchmark: how many events/s each worker applies through its real transaction path (parse and validate,
# processed_events insert, state change, outbox row, commit, ack), draining a pre-loaded work queue at prefetch 20 and
# 100, with processing-time percentiles from the runtime's orderly.consumer.processing histogram. Prints figures;
# asserts nothing.
#
#   bench/workers.sh                              # 20,000 events per drain, concurrency 4, all three workers
#   N=50000 CONCURRENCY=8 bench/workers.sh
#   WORKERS="payment-worker" bench/workers.sh
#   JVM_FLAGS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1" bench/workers.sh   # C1 only, as ./orderly up runs them
#   SMOKE=1 bench/workers.sh                      # 200 events per drain: the whole path, figures meaningless
#
# Each worker runs in-process in its *WorkerBenchmark (test sources; never part of ./mvnw verify), against the same
# private PostgreSQL and RabbitMQ the integration tests use (started on free loopback ports, stopped afterwards). Per
# worker: a 5,000-event warm-up drain (the JIT), then one drain at prefetch 20 and one at 100; the rate is taken over the
# last 90% of each drain. The payment gateway and carrier simulators run with latency 0 and no injected failures.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The JDK and the packages, found or installed the way ./orderly does it.
# shellcheck source=../tools/machine.sh
. "$ROOT/tools/machine.sh"
ensure_jdk
ensure_packages
[[ -n ${SMOKE:-} ]] && : "${N:=200}"
N=${N:-20000}
CONCURRENCY=${CONCURRENCY:-4}
# The workers' JVM flags (C2 unless a smoke run); e.g. JVM_FLAGS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1" for C1 only,
# as ./orderly up runs the services, or "... -Dspring.threads.virtual.enabled=true" for virtual-thread consumers.
JVM_FLAGS=${JVM_FLAGS:-"-XX:+UseSerialGC -XX:MaxRAM=1g${SMOKE:+ -XX:TieredStopAtLevel=1}"}
WORKERS=${WORKERS:-"order-worker payment-worker shipping-worker"}
cd "$ROOT"
modules=$(echo $WORKERS | tr ' ' ,)
classes=$(for worker in $WORKERS; do ls "$worker"/src/test/java/dev/orderly/worker/*/*WorkerBenchmark.java; done |
  xargs -n1 basename | sed 's/.java$//' | paste -sd, -)

echo "# Orderly worker benchmark — $(date -u +%FT%TZ)"
echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1); PostgreSQL $(ls /usr/lib/postgresql | sort -V | tail -n 1); RabbitMQ $(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null || echo '?')"
echo "# $N events per drain, concurrency $CONCURRENCY, JVM flags: $JVM_FLAGS"
# The test JVMs' flags are the build's orderly.test.jvm property (the pom's argLine is made of it; an -DargLine would be
# ignored, and was until 2026-12-03: every figure before then is of C1-only JVMs).
# One reactor build of the workers and what they depend on (-am), so nothing is taken from the local Maven repository
# that this checkout did not build; only the *WorkerBenchmark classes run (they are never part of ./mvnw verify). They
# run from the classes: the runnable jars are not packaged, so none is rewritten under a service that runs from it.
for worker in $WORKERS; do rm -f "$worker/target/benchmark.md"; done
./mvnw -q -B verify -pl "$modules" -am -Dspotless.check.skip=true -Dspring-boot.repackage.skip=true \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test="$classes" -Dfailsafe.failIfNoSpecifiedTests=false -Dbench.messages="$N" \
  -Dorderly.messaging.listener.concurrency="$CONCURRENCY" \
  -Dorderly.test.jvm="-Dbench.messages=$N -Dorderly.messaging.listener.concurrency=$CONCURRENCY $JVM_FLAGS" >&2 ||
  { echo "the benchmark failed; see each worker's target/failsafe-reports" >&2; exit 1; }
echo
echo "| worker | event | prefetch | concurrency | events | events/s | p50 ms | p90 ms | p99 ms |"
echo "|---|---|---|---|---|---|---|---|---|"
for worker in $WORKERS; do
  [[ -s $worker/target/benchmark.md ]] || { echo "$worker wrote no figures ($worker/target/benchmark.md)" >&2; exit 1; }
  cat "$worker/target/benchmark.md"
done
echo
echo "## summary"
echo "  $(echo $WORKERS | wc -w) workers measured, $N events per drain, concurrency $CONCURRENCY (the table above)"

#!/usr/bin/env bash
# Starts RabbitMQ, then sets each Orderly user's password from the environment (definitions.json creates the users
# without one, so that no password is written into a file that is committed) and imports the broker topology
# (topology.json: every exchange, queue, binding and policy), so that every queue an event is bound for exists before
# any service can publish one. Until this has run, the health check (test -f /tmp/orderly-users-ready) keeps the
# services waiting.
set -euo pipefail
rm -f /tmp/orderly-users-ready
docker-entrypoint.sh rabbitmq-server &
server=$!
trap 'kill -TERM "$server"; wait "$server"; exit' TERM INT

until rabbitmqctl -q await_startup --timeout 5 >/dev/null 2>&1; do
  kill -0 "$server" 2>/dev/null || { echo "rabbitmq-server exited" >&2; exit 1; }
  sleep 1
done
for pair in orderly-admin:ORDERLY_RABBITMQ_ADMIN_PASSWORD orderly-monitoring:ORDERLY_RABBITMQ_MONITORING_PASSWORD \
            orderly-relay:ORDERLY_RABBITMQ_RELAY_PASSWORD orderly-order-worker:ORDERLY_RABBITMQ_ORDER_WORKER_PASSWORD \
            orderly-payment-worker:ORDERLY_RABBITMQ_PAYMENT_WORKER_PASSWORD \
            orderly-shipping-worker:ORDERLY_RABBITMQ_SHIPPING_WORKER_PASSWORD; do
  user=${pair%%:*} variable=${pair#*:}
  [[ -n ${!variable:-} ]] || { echo "$variable is not set (see .env.example)" >&2; kill -TERM "$server"; exit 1; }
  rabbitmqctl -q change_password "$user" "${!variable}" >/dev/null
done
rabbitmqctl -q import_definitions /etc/rabbitmq/topology.json >/dev/null
touch /tmp/orderly-users-ready
echo "orderly: users' passwords set, topology imported"
wait "$server"

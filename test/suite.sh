#!/bin/sh
# The test suite in two passes. Files that share nothing but the services (each has its own database,
# queue name and ports) run two at a time. Files whose first line says "Runs alone in the suite" run
# one at a time afterwards: they time kills, pauses or outages against BullMQ locks of a few seconds or
# against a run's batches, so another file's CPU load must not stretch their timing. Arguments go to
# both passes (e.g. --test-reporter=tap).
cd "$(dirname "$0")/.."
alone=$(grep -l -m1 '^// Runs alone in the suite' test/*/*.test.ts)
together=$(ls test/*/*.test.ts | grep -v -x -F "$alone")
status=0
node --import tsx --test --test-concurrency=2 "$@" $together || status=1
node --import tsx --test --test-concurrency=1 "$@" $alone || status=1
exit $status

#!/bin/sh
# The test suite in two passes. Files that share nothing but the services (each has its own database,
# queue name and ports) run two at a time. The fault and end-to-end files run alone: their workers
# hold BullMQ locks of a few seconds and they time kills against them, so another file's CPU load
# must not stretch their timing. Arguments go to both passes (e.g. --test-reporter=tap).
cd "$(dirname "$0")/.."
parallel=$(ls test/*/*.test.ts | grep -v -e '^test/faults/' -e '^test/e2e/')
status=0
node --import tsx --test --test-concurrency=2 "$@" $parallel || status=1
node --import tsx --test --test-concurrency=1 "$@" test/faults/*.test.ts test/e2e/*.test.ts || status=1
exit $status

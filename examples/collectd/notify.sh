#!/bin/sh
# collectd's exec plugin writes a notification on stdin (headers, a blank line, the message):
# posted as text/plain, RestMQ stores it as [{"severity": ...}, ..., {"event_text": ...}].
exec curl -s -o /dev/null -H 'Content-Type: text/plain' --data-binary @- "${RESTMQ_URL:-http://127.0.0.1:8888}/collectd/event"

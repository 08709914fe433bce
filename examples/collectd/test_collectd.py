#!/usr/bin/env python3
"""Reads what collectd posts to RestMQ: COMET streams on collectd_data and collectd_event.

    python3 examples/collectd/test_collectd.py [URL] [--count N]

URL defaults to http://127.0.0.1:8888. Prints one line per message: the queue, a tab, and the
stored body (a JSON array). With --count it exits after N messages (the original example had a
bug: its loop variable shadowed the json module, so every parse failed).
"""
import http.client
import json
import queue
import sys
import threading
import urllib.parse

argv = sys.argv[1:]
count = None
if "--count" in argv:
    i = argv.index("--count")
    count = int(argv[i + 1])
    del argv[i : i + 2]
url = urllib.parse.urlsplit(argv[0] if argv else "http://127.0.0.1:8888")
received = queue.Queue()


def consume(name):
    conn = http.client.HTTPConnection(url.hostname, url.port or 80)
    conn.request("GET", "/c/" + name)
    resp = conn.getresponse()
    for raw in resp:  # one message per line, CRLF-terminated; blank lines are heartbeats
        line = raw.decode("utf-8").strip()
        if not line or line == "null":
            continue
        envelope = json.loads(line)
        json.loads(envelope["value"])  # each body is JSON
        received.put((name, envelope["value"]))


for name in ("collectd_data", "collectd_event"):
    threading.Thread(target=consume, args=(name,), daemon=True).start()

seen = 0
while count is None or seen < count:
    name, value = received.get()
    print(name + "\t" + value, flush=True)
    seen += 1

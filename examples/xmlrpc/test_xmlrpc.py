#!/usr/bin/env python3
"""The original RestMQ's XML-RPC example, on Python 3's standard library only.

    python3 examples/xmlrpc/test_xmlrpc.py [URL] [QUEUE]

URL defaults to http://127.0.0.1:8888/xmlrpc (add user:password@ before the host when the
broker runs with an ACL), QUEUE to "test". It sets "tuna-boy", gets it back, then shows that
an empty queue is a fault (code 404).
"""
import sys
import xmlrpc.client

url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8888/xmlrpc"
queue = sys.argv[2] if len(sys.argv) > 2 else "test"
srv = xmlrpc.client.ServerProxy(url)

key = srv.set(queue, "tuna-boy")
print("set:", key)
print("get:", srv.get(queue))
try:
    srv.get(queue)
except xmlrpc.client.Fault as fault:
    print("empty: fault", fault.faultCode, fault.faultString)

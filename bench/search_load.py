#!/usr/bin/env python3
"""Loads N entries with three mapped fields into a bucket through the batch endpoint, 1,000 puts
per request, from a few threads. Values: name (keyword, one of 10,000), price (number 0-99,999),
created (date in 2025). Usage: search_load.py URL API_KEY BUCKET N"""
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse

url, key, bucket, total = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
u = urllib.parse.urlparse(url)
BATCH = 1000
THREADS = 4
rng = random.Random(42)
next_batch = [0]
lock = threading.Lock()
failures = []


def value(i):
    return {
        "name": "user-%d" % rng.randrange(10000),
        "price": rng.randrange(100000),
        "created": "2025-%02d-%02dT%02d:%02d:00Z"
        % (rng.randrange(1, 13), rng.randrange(1, 29), rng.randrange(24), rng.randrange(60)),
        "pad": "x" * 64,
    }


def worker():
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    while True:
        with lock:
            start = next_batch[0]
            if start >= total or failures:
                return
            next_batch[0] += BATCH
            muts = [
                {"op": "put", "key": "e%07d" % i, "value": value(i)}
                for i in range(start, min(total, start + BATCH))
            ]
        body = json.dumps({"mutations": muts})
        # A 503 (Redis busy on a loaded shared machine) is retried: the batch is all or nothing.
        for attempt in range(5):
            conn.request(
                "POST",
                "/storage/kv/%s/batch" % bucket,
                body,
                {"Content-Type": "application/json", "X-Api-Key": key},
            )
            r = conn.getresponse()
            data = r.read()
            if r.status != 503:
                break
            time.sleep(1 + attempt)
        if r.status != 200:
            failures.append((r.status, data[:300]))
            return


t0 = time.time()
threads = [threading.Thread(target=worker) for _ in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
if failures:
    print("load failed:", failures[0], file=sys.stderr)
    sys.exit(1)
print("loaded %d entries in %.1f s" % (total, time.time() - t0))

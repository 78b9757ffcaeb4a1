#!/usr/bin/env python3
"""Loads a bucket through the service's batch endpoint: 1,000 puts per request, a few in flight.

Usage: load.py URL API_KEY BUCKET COUNT VALUE_BYTES KEY_DIGITS
Keys are "k" + the index zero-padded to KEY_DIGITS (0 = unpadded), so byte order is index order;
every value is a JSON object of exactly VALUE_BYTES bytes. A batch answered 503 (Redis slower than
the service's storage timeout, as on a loaded machine) is sent again, up to RETRIES times: its puts
are the same values, so a batch applied twice leaves the same entries. Exits non-zero on any other
refusal.
"""
import http.client
import json
import sys
import threading
import urllib.parse

BATCH = 1000
THREADS = 2
RETRIES = 5


def value(size):
    filler = size - len('{"data":""}')
    if filler < 0:
        raise SystemExit("VALUE_BYTES must be at least 11")
    return '{"data":"' + "x" * filler + '"}'


def main():
    url, api_key, bucket = sys.argv[1], sys.argv[2], sys.argv[3]
    count, size, digits = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    target = urllib.parse.urlparse(url)
    v = value(size)
    starts = list(range(0, count, BATCH))
    lock = threading.Lock()
    failures = []

    def worker():
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
        while True:
            with lock:
                if not starts or failures:
                    return
                start = starts.pop()
            keys = range(start, min(start + BATCH, count))
            body = (
                '{"mutations":['
                + ",".join(
                    '{"op":"put","key":%s,"value":%s}' % (json.dumps("k%0*d" % (digits, i)), v)
                    for i in keys
                )
                + "]}"
            )
            for _ in range(RETRIES):
                conn.request(
                    "POST",
                    "/storage/kv/%s/batch" % bucket,
                    body=body.encode(),
                    headers={"X-Api-Key": api_key, "Content-Type": "application/json"},
                )
                r = conn.getresponse()
                answer = r.read()
                if r.status != 503:
                    break
            if r.status != 200:
                with lock:
                    failures.append("%d %s" % (r.status, answer[:300]))

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise SystemExit("batch refused: " + failures[0])


if __name__ == "__main__":
    main()

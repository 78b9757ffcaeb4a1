#!/usr/bin/env python3
"""Watch fan-out: W watchers of one bucket while a writer puts as fast as it can.

Opens W server-sent-event streams on /storage/kv/{bucket}/watch (values included or not), waits
until all are open, runs the writer command given after `--` (wrk), then waits until every watcher
has seen the bucket's last revision (or a deadline). Prints one RESULT line: events written, events
delivered to all watchers, delivered events per second, whether every watcher saw every revision
exactly once and in order, and the delivery latency (receive time less the event's `time`).

One thread and non-blocking sockets: the client must not be what limits the measurement.
"""
import argparse
import datetime
import json
import selectors
import socket
import subprocess
import sys
import time
import urllib.request


def open_watch(host, port, path, key):
    s = socket.create_connection((host, port))
    s.sendall(
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nX-Api-Key: {key}\r\n"
        f"Accept: text/event-stream\r\n\r\n".encode()
    )
    s.setblocking(False)
    return s


class Watcher:
    def __init__(self, sock):
        self.sock = sock
        self.raw = b""
        self.buf = b""
        self.chunked = False
        self.chunk_left = 0
        self.headers_done = False
        self.status = None
        self.last_rev = 0
        self.events = 0
        self.out_of_order = 0
        self.latencies = []

    def dechunk(self):
        """Moves the payload of complete (or partial) chunks from raw to buf."""
        while self.raw:
            if self.chunk_left > 0:
                take = self.raw[: self.chunk_left]
                self.buf += take
                self.raw = self.raw[len(take) :]
                self.chunk_left -= len(take)
                if self.chunk_left > 0:
                    return
                self.chunk_left = -2  # the CRLF after the chunk
            if self.chunk_left < 0:
                if len(self.raw) < 2:
                    return
                self.raw = self.raw[2:]
                self.chunk_left = 0
            end = self.raw.find(b"\r\n")
            if end < 0:
                return
            self.chunk_left = int(self.raw[:end].split(b";")[0], 16)
            self.raw = self.raw[end + 2 :]
            if self.chunk_left == 0:
                self.raw = b""
                return

    def feed(self, data, now, sample):
        self.raw += data
        if not self.headers_done:
            end = self.raw.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.raw[:end].lower()
            self.status = int(self.raw.split(b" ", 2)[1])
            self.chunked = b"transfer-encoding: chunked" in head
            self.headers_done = True
            self.raw = self.raw[end + 4 :]
        if self.chunked:
            self.dechunk()
        else:
            self.buf += self.raw
            self.raw = b""
        # Complete events only.
        cut = self.buf.rfind(b"\n\n")
        if cut < 0:
            return
        block, self.buf = self.buf[: cut + 2], self.buf[cut + 2 :]
        for line in block.split(b"\n"):
            if line.startswith(b"id:"):
                rev = int(line[3:].strip())
                if rev != self.last_rev + 1 and self.last_rev != 0:
                    self.out_of_order += 1
                self.last_rev = rev
                self.events += 1
        if sample:
            i = block.rfind(b"data:")
            if i >= 0:
                line = block[i + 5 : block.find(b"\n", i)].strip()
                t = json.loads(line)["time"]
                sent = datetime.datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp()
                self.latencies.append(now - sent)


def bucket_revision(url, bucket, key):
    req = urllib.request.Request(f"{url}/storage/kv/{bucket}", headers={"X-Api-Key": key})
    with urllib.request.urlopen(req) as r:
        body = json.load(r)["body"]
    return int(body["status"]["revision"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--bucket", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--watchers", type=int, required=True)
    ap.add_argument("--values", default="false")
    ap.add_argument("writer", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    host, port = a.url.split("//")[1].split(":")
    port = int(port)
    path = f"/storage/kv/{a.bucket}/watch?mode=updates&values={a.values}"
    start_rev = bucket_revision(a.url, a.bucket, a.key)

    sel = selectors.DefaultSelector()
    watchers = []
    for _ in range(a.watchers):
        w = Watcher(open_watch(host, port, path, a.key))
        watchers.append(w)
        sel.register(w.sock, selectors.EVENT_READ, w)

    def pump(timeout, sample_every=0.05):
        last_sample = {}
        for k, _ in sel.select(timeout):
            w = k.data
            try:
                data = w.sock.recv(1 << 18)
            except BlockingIOError:
                continue
            if not data:
                sel.unregister(w.sock)
                continue
            now = time.time()
            sample = now - last_sample.get(id(w), 0) >= sample_every
            if sample:
                last_sample[id(w)] = now
            w.feed(data, now, sample)

    # The stream's headers come with the first event or keep-alive, so "open" is checked by a
    # first write that every watcher must see.
    writer = a.writer[1:] if a.writer and a.writer[0] == "--" else a.writer
    prime = urllib.request.Request(
        f"{a.url}/storage/kv/{a.bucket}/entries/prime", method="PUT", data=b'{"p":1}',
        headers={"X-Api-Key": a.key, "Content-Type": "application/json"})
    deadline = time.time() + 30
    time.sleep(1)
    urllib.request.urlopen(prime).read()
    while time.time() < deadline and not all(w.events >= 1 for w in watchers):
        pump(0.2)
    opened = sum(1 for w in watchers if w.events >= 1)
    if opened < len(watchers):
        print(f"only {opened} of {len(watchers)} watchers opened", file=sys.stderr)
    for w in watchers:
        w.events = 0
        w.out_of_order = 0
        w.latencies = []
    first_rev = start_rev + 1

    proc = subprocess.Popen(writer, stdout=subprocess.PIPE, text=True)
    t0 = time.time()
    while proc.poll() is None:
        pump(0.1)
    t_write = time.time() - t0
    writer_out = proc.stdout.read()
    end_rev = bucket_revision(a.url, a.bucket, a.key)
    deadline = time.time() + 60
    while time.time() < deadline and not all(w.last_rev >= end_rev for w in watchers):
        pump(0.2)
    t_all = time.time() - t0
    written = end_rev - first_rev
    delivered = sum(w.events for w in watchers)
    complete = sum(1 for w in watchers if w.events == written and w.out_of_order == 0)
    lat = sorted(x for w in watchers for x in w.latencies)
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else float("nan")
    print(writer_out.strip().splitlines()[-1] if writer_out.strip() else "", file=sys.stderr)
    for i, w in enumerate(watchers):
        if w.events != written or w.out_of_order:
            tail = w.buf[-300:]
            print(f"watcher {i}: events={w.events} of {written} out_of_order={w.out_of_order} "
                  f"last_rev={w.last_rev} of {end_rev} status={w.status} tail={tail!r}", file=sys.stderr)
    print(
        f"RESULT watchers={len(watchers)} written={written} write_s={t_write:.1f} "
        f"write_rps={written / t_write:.0f} delivered={delivered} "
        f"delivered_per_s={delivered / t_all:.0f} complete={complete}/{len(watchers)} "
        f"lat_p50_ms={p(0.5):.1f} lat_p99_ms={p(0.99):.1f} drain_s={t_all - t_write:.1f}"
    )


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# Usage: python3 bench/hostile/stress.py PORT SERVER_PID [SECONDS]
# Runs the attacks of issue 16 one after the other against a server on 127.0.0.1:PORT (e.g. samples/ConformanceService)
# with a healthy HEAD client calling sum_sync alongside, and prints per attack: the server's VmRSS and CPU seconds
# before/after and the healthy calls' p50/p99/max and failures. Python 3, no packages.
import os
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unread_answers import DECLARE, call, pack, rss_mb  # noqa: E402
from trickle_frame import cpu_seconds, frame  # noqa: E402


def connect(port, declare=True):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if declare:
        s.sendall(DECLARE)
        s.recv(65536)
    return s


def read_until_closed(s, timeout=10):
    s.settimeout(timeout)
    try:
        while s.recv(65536):
            pass
    except OSError:
        pass


def healthy(port, stop, latencies, failures):
    s = connect(port)
    i = 100001
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            s.sendall(call(i, "sum_sync", {"a": 1, "b": 2}))
            s.settimeout(10)
            if not s.recv(65536):
                raise EOFError
            latencies.append(time.perf_counter() - t0)
        except Exception:
            failures[0] += 1
            try:
                s = connect(port)
            except OSError:
                time.sleep(0.1)
        i += 2
        time.sleep(0.005)


def unread(port, seconds):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.sendall(DECLARE)
    s.settimeout(0.5)
    batch = b"".join(call(5 + 2 * i, "echo", {"value": "x" * 1000}) for i in range(64))
    end = time.time() + seconds
    while time.time() < end:
        try:
            s.sendall(batch)
        except socket.timeout:
            continue
        except OSError:
            break
    s.close()


def trickle(port, seconds):
    data = frame(1_000_000)

    def one():
        s = connect(port)
        for i in range(0, len(data), 65536):
            s.sendall(data[i:i + 65536])
            time.sleep(0.001)
        read_until_closed(s, 30)

    ts = [threading.Thread(target=one) for _ in range(4)]
    [t.start() for t in ts]
    [t.join() for t in ts]


def elements(port, seconds):
    # A call whose argument declares 16 Mi nils (16 MB that would decode to ~486 MB), then 1 MiB of them.
    head = b"\x94" + pack(101) + pack(5) + pack({"target": "/default/echo"}) + b"\x81" + pack("value") + b"\xdd" + struct.pack(">I", 16 * 2**20)
    for _ in range(50):
        s = connect(port)
        try:
            s.sendall(head + b"\xc0" * 2**20)
        except OSError:
            pass
        read_until_closed(s, 10)


def deep(port, seconds):
    value = 1
    for _ in range(100):
        value = [value]
    s = connect(port)
    payload = b"".join(call(5 + 2 * i, "echo", {"value": value}) for i in range(1000))
    s.sendall(payload)
    got = 0
    s.settimeout(10)
    tail = b""
    try:
        while got < 1000:
            data = s.recv(65536)
            if not data:
                break
            data = tail + data
            got += data.count(b"Parse error. param nested too deeply")
            tail = data[-40:]
    except OSError:
        pass
    s.close()
    print(f"  deep: {got} of 1000 calls answered with the parse error", flush=True)


def churn(port, seconds):
    for _ in range(1000):
        s = connect(port, declare=False)
        s.sendall(b"\xc1")
        read_until_closed(s, 5)


ATTACKS = [("unread answers", unread), ("trickled 14 MiB frames x4", trickle), ("16 Mi-element frames x50", elements),
           ("1000 calls nested 100 deep", deep), ("1000 connections sending 0xc1", churn)]


def main():
    port, pid = int(sys.argv[1]), int(sys.argv[2])
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 8
    for name, attack in ATTACKS:
        stop = threading.Event()
        latencies, failures = [], [0]
        probe = threading.Thread(target=healthy, args=(port, stop, latencies, failures), daemon=True)
        rss0, cpu0, t0 = rss_mb(pid), cpu_seconds(pid), time.time()
        probe.start()
        attack(port, seconds)
        stop.set()
        probe.join(15)
        rss1, cpu1 = rss_mb(pid), cpu_seconds(pid)
        latencies.sort()
        if latencies:
            p50, p99, top = (latencies[len(latencies) // 2] * 1000, latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000, latencies[-1] * 1000)
        else:
            p50 = p99 = top = float("nan")
        print(f"{name}: {time.time() - t0:.1f} s; server VmRSS {rss0:.0f} -> {rss1:.0f} MB, CPU +{cpu1 - cpu0:.2f} s; "
              f"healthy calls {len(latencies)}, p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {top:.1f} ms, failures {failures[0]}", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# Usage: python3 bench/hostile/unread_answers.py PORT SERVER_PID SECONDS (a server on 127.0.0.1:PORT, e.g. samples/ConformanceService).
# Measures the 'client that never reads' attack (issue 16, item 1) against a running server: server RSS, and a
# healthy client's latency while one connection pipelines 1 KB echo calls and reads nothing.
import socket, struct, sys, threading, time

def pack(v):
    if v is None: return b'\xc0'
    if isinstance(v, bool): return b'\xc3' if v else b'\xc2'
    if isinstance(v, int):
        if 0 <= v < 128: return bytes([v])
        if 0 <= v < 2**16: return b'\xcd' + struct.pack('>H', v)
        if 0 <= v < 2**32: return b'\xce' + struct.pack('>I', v)
        return b'\xd3' + struct.pack('>q', v)
    if isinstance(v, str):
        b = v.encode()
        if len(b) < 32: return bytes([0xa0 | len(b)]) + b
        if len(b) < 256: return b'\xd9' + bytes([len(b)]) + b
        return b'\xda' + struct.pack('>H', len(b)) + b
    if isinstance(v, list):
        return bytes([0x90 | len(v)]) + b''.join(pack(x) for x in v)
    if isinstance(v, dict):
        return bytes([0x80 | len(v)]) + b''.join(pack(k) + pack(x) for k, x in v.items())
    raise TypeError(v)

DECLARE = pack([103, 3, {"target": "/_event/DECLARE"}, {"client_info": {"host": ["127.0.0.1", 9000], "version": "0.1", "user_agent": "Python3-0.0.0"}, "metadata": {}}])

def call(i, name, body):
    return pack([101, i, {"target": "/default/" + name}, body])

def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0

def read_frame_answer(sock, buf):
    # minimal: read until at least one byte arrives; the healthy client sends one call at a time and answers are small
    data = sock.recv(65536)
    if not data: raise EOFError
    return data

def main():
    port, pid, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    healthy = socket.create_connection(("127.0.0.1", port)); healthy.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    healthy.sendall(DECLARE); healthy.recv(65536)
    before = rss_mb(pid)
    stop = threading.Event(); sent = [0]
    def attack():
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", port)); s.sendall(DECLARE)
        batch = b''.join(call(5 + 2 * i, "echo", {"value": "x" * 1000}) for i in range(64))
        s.settimeout(1.0)
        while not stop.is_set():
            try:
                s.sendall(batch); sent[0] += len(batch)
            except socket.timeout:
                continue
            except OSError:
                break
    t = threading.Thread(target=attack, daemon=True); t.start()
    lat = []; failures = 0; peak = before; i = 1001; end = time.time() + seconds; last = 0
    while time.time() < end:
        t0 = time.perf_counter()
        try:
            healthy.sendall(call(i, "sum_sync", {"a": 1, "b": 2})); read_frame_answer(healthy, None)
            lat.append(time.perf_counter() - t0)
        except Exception:
            failures += 1
        i += 2
        if time.time() - last > 0.2:
            peak = max(peak, rss_mb(pid)); last = time.time()
        time.sleep(0.005)
    stop.set()
    lat.sort()
    p99 = lat[int(len(lat) * 0.99) - 1] * 1000 if lat else float('nan')
    print(f"attack {seconds:.0f} s: attacker pushed {sent[0]/2**20:.1f} MiB; server RSS {before:.0f} MB before, peak {peak:.0f} MB; healthy calls {len(lat)}, p50 {lat[len(lat)//2]*1000:.2f} ms, p99 {p99:.2f} ms, max {lat[-1]*1000:.2f} ms, failures {failures}")

if __name__ == "__main__":
    main()

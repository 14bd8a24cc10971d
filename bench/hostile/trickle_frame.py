#!/usr/bin/env python3
# Usage: python3 bench/hostile/trickle_frame.py PORT SERVER_PID CONNECTIONS
# Issue 16, item 2: CONNECTIONS clients each trickle one ~14 MiB frame (a call whose argument is 1 M short strings)
# in 64 KiB pieces; prints the wall time and the server's CPU seconds (utime + stime from /proc) meanwhile.
import socket, struct, sys, threading, time
import os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unread_answers import pack, DECLARE  # noqa: E402

def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0

def frame(n):
    item = pack("x" * 14)  # 15 bytes per element
    body = b'\x81' + pack("value") + b'\xdd' + struct.pack('>I', n) + item * n
    return b'\x94' + pack(101) + pack(5) + pack({"target": "/default/nope"}) + body

def main():
    port, pid, conns = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    data = frame(1_000_000)
    print(f"frame {len(data)/2**20:.1f} MiB")
    def run():
        s = socket.create_connection(("127.0.0.1", port)); s.sendall(DECLARE); s.recv(65536)
        for i in range(0, len(data), 65536):
            s.sendall(data[i:i + 65536]); time.sleep(0.001)
        s.settimeout(60); s.recv(65536)
    before = cpu_seconds(pid); t0 = time.time()
    ts = [threading.Thread(target=run) for _ in range(conns)]
    [t.start() for t in ts]; [t.join() for t in ts]
    print(f"{conns} connections trickling in 64 KiB pieces: {time.time() - t0:.1f} s wall, server CPU {cpu_seconds(pid) - before:.2f} s")


if __name__ == "__main__":
    main()

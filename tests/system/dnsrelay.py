# SPDX-License-Identifier: BSD-3-Clause
"""dnsrelay.py -- a counting DNS relay between Unbound and ctdnsd.

Listens on 127.0.0.1 PORT (UDP and TCP), forwards every message unchanged
to ctdnsd at 127.0.0.1 UPSTREAM over the same transport, relays the
answer back, and appends one line per query to LOG:

    <udp|tcp> <qname as sent> <qtype>

so a test can count exactly what ctdnsd was asked (the counter of
test_unbound.sh). Writes PORT to READY once both sockets listen.

Usage: /usr/bin/python3 dnsrelay.py PORT UPSTREAM LOG READY
"""

import os
import socket
import socketserver
import sys
import threading

import dns.message
import dns.rdatatype

LOCK = threading.Lock()


def note(log, proto, wire):
    try:
        q = dns.message.from_wire(wire)
        name = q.question[0].name.to_text()
        qtype = dns.rdatatype.to_text(q.question[0].rdtype)
    except Exception:  # noqa: BLE001 -- a malformed query is still counted
        name, qtype = "?", "?"
    with LOCK:
        log.write(f"{proto} {name} {qtype}\n")
        log.flush()


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


def main():
    port, upstream, log_path, ready = (int(sys.argv[1]), int(sys.argv[2]),
                                       sys.argv[3], sys.argv[4])
    log = open(log_path, "a", encoding="ascii")
    up = ("127.0.0.1", upstream)

    class Udp(socketserver.BaseRequestHandler):
        def handle(self):
            data, sock = self.request
            note(log, "udp", data)
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                u.settimeout(5)
                u.sendto(data, up)
                try:
                    answer, _ = u.recvfrom(65535)
                except socket.timeout:
                    return
            sock.sendto(answer, self.client_address)

    class Tcp(socketserver.BaseRequestHandler):
        def handle(self):
            s = self.request
            try:
                while True:
                    n = int.from_bytes(recv_exact(s, 2), "big")
                    data = recv_exact(s, n)
                    note(log, "tcp", data)
                    with socket.create_connection(up, timeout=5) as u:
                        u.sendall(len(data).to_bytes(2, "big") + data)
                        m = int.from_bytes(recv_exact(u, 2), "big")
                        answer = recv_exact(u, m)
                    s.sendall(len(answer).to_bytes(2, "big") + answer)
            except (ConnectionError, OSError):
                return

    class UdpServer(socketserver.ThreadingUDPServer):
        daemon_threads = True
        allow_reuse_address = True

    class TcpServer(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    udp = UdpServer(("127.0.0.1", port), Udp)
    tcp = TcpServer(("127.0.0.1", port), Tcp)
    threading.Thread(target=udp.serve_forever, daemon=True).start()
    with open(ready + ".tmp", "w", encoding="ascii") as f:
        f.write(f"{port}\n")
    os.rename(ready + ".tmp", ready)
    tcp.serve_forever()


if __name__ == "__main__":
    main()

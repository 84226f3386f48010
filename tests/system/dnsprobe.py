# SPDX-License-Identifier: BSD-3-Clause
"""dnsprobe.py -- transport-level probes of ctdnsd for the system tests.

Usage: python3 dnsprobe.py COMMAND ARGS...
  idle HOST PORT                 connect over TCP, send nothing; print the
                                 seconds until the server closes
  cap HOST PORT N QNAME          hold N TCP connections (each served
                                 QNAME once), open one more: the extra one
                                 must be closed (within 30 s; the held ones
                                 ask QNAME meanwhile) and the N held ones
                                 must still answer QNAME
  pipeline HOST PORT QNAME...    send every query on one TCP connection
                                 in one write; every answer must come
                                 back (any order), NOERROR with one TXT
                                 equal to the UDP answer for that name
  flood HOST PORT QNAME COUNT [SOURCE [THEN]]
                                 send COUNT UDP queries from one socket as
                                 fast as possible, then one for
                                 flood-end.<QNAME's parent> (NXDOMAIN: a
                                 rate-limit bucket of its own) and wait for
                                 its answer, which comes after all others;
                                 print "full F tc T other O lost L secs S"
                                 (S: from the first query to that answer);
                                 with THEN, at once one query for THEN
                                 (TXT), and " then R": R is full, tc,
                                 other or lost (no answer in 5 s). SOURCE
                                 "-": the system's choice
  spread HOST PORT QNAME COUNT   COUNT UDP queries, each from a new socket
                                 (a new source port); all must be answered
  burst HOST PORT EARLY RELEASE QNAME... [-- LATER...]
                                 send every QNAME (TXT) from one socket in
                                 one go, IDs 0..N-1; wait until EARLY
                                 answers have come, then send each LATER
                                 name and wait for as many more answers;
                                 then GET the URL RELEASE (unless "-") and
                                 collect the rest. Print a line per query,
                                 in order: its rcode and "early" (came
                                 before the release) or "late", or "lost".
                                 Each wait gives up after 30 s (the lines
                                 then show what came), so a daemon that
                                 fails cannot hang the test
Exit 0 when the probe holds, 1 otherwise (the reason on stderr).
"""

import socket
import struct
import sys
import time
import urllib.request

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode


# Longest wait for anything the daemon must do.
WAIT_S = 30.0


class Fail(Exception):
    pass


def query(qname, qid=None):
    q = dns.message.make_query(qname, "TXT")
    q.flags &= ~dns.flags.RD
    if qid is not None:
        q.id = qid
    return q


def txt_of(r):
    if r.rcode() != dns.rcode.NOERROR or len(r.answer) != 1:
        raise Fail("%s: rcode %s, %d answer rrsets" % (
            r.question[0].name, dns.rcode.to_text(r.rcode()), len(r.answer)))
    return b"".join(r.answer[0][0].strings)


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise Fail("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def tcp_ask(s, qname):
    wire = query(qname).to_wire()
    s.sendall(struct.pack("!H", len(wire)) + wire)
    (n,) = struct.unpack("!H", recv_exact(s, 2))
    return dns.message.from_wire(recv_exact(s, n))


def closed_within(s, secs):
    """True when the peer closes s within secs (EOF or reset)."""
    s.settimeout(secs)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def cmd_idle(host, port):
    s = socket.create_connection((host, int(port)), timeout=WAIT_S)
    t0 = time.monotonic()
    if not closed_within(s, 30):
        raise Fail("an idle connection is still open after 30 s")
    print("%.2f" % (time.monotonic() - t0))


def cmd_cap(host, port, n, qname):
    held = []
    for _ in range(int(n)):
        s = socket.create_connection((host, int(port)), timeout=WAIT_S)
        txt_of(tcp_ask(s, qname))   # accepted and served: the next is later
        held.append(s)
    extra = socket.create_connection((host, int(port)), timeout=WAIT_S)
    # Until the extra one is closed (at most WAIT_S), keep the held ones
    # busy so that no idle timeout can close them meanwhile.
    end = time.monotonic() + WAIT_S
    while not closed_within(extra, 0.2):
        if time.monotonic() > end:
            raise Fail("connection %d beyond the cap was not closed" %
                       (int(n) + 1))
        for s in held:
            s.settimeout(WAIT_S)
            txt_of(tcp_ask(s, qname))
    for s in held:
        s.settimeout(WAIT_S)
        txt_of(tcp_ask(s, qname))
    for s in held + [extra]:
        s.close()


def cmd_pipeline(host, port, qnames):
    s = socket.create_connection((host, int(port)), timeout=WAIT_S)
    wires = {}
    data = b""
    for i, name in enumerate(qnames):
        q = query(name, qid=1000 + i)
        wires[q.id] = name
        w = q.to_wire()
        data += struct.pack("!H", len(w)) + w
    s.sendall(data)
    got = {}
    order = []
    while len(got) < len(wires):
        (n,) = struct.unpack("!H", recv_exact(s, 2))
        r = dns.message.from_wire(recv_exact(s, n))
        if r.id not in wires or r.id in got:
            raise Fail("unexpected or repeated answer id %d" % r.id)
        if r.question[0].name != dns.name.from_text(wires[r.id]):
            raise Fail("answer %d is for %s" % (r.id, r.question[0].name))
        got[r.id] = txt_of(r)
        order.append(r.id - 1000)
    s.close()
    for qid, name in wires.items():
        want = txt_of(dns.query.udp(query(name), host, port=int(port),
                                    timeout=10))
        if got[qid] != want:
            raise Fail("%s: the TCP answer differs from the UDP one" % name)
    print("answers in order: %s" % " ".join(str(i) for i in order))


def classify(r):
    """full, tc or other: what kind of answer r is."""
    if r.flags & dns.flags.TC:
        if r.answer or r.authority:
            raise Fail("a TC=1 answer carries records")
        return "tc"
    if r.rcode() == dns.rcode.NOERROR and r.answer:
        return "full"
    return "other"


def ask_then(s, host, port, qname, qid):
    """Send one query for qname on s and classify its answer."""
    s.sendto(query(qname, qid=qid).to_wire(), (host, int(port)))
    end = time.monotonic() + 5
    while time.monotonic() < end:
        try:
            r = dns.message.from_wire(s.recv(65535))
        except BlockingIOError:
            time.sleep(0.01)
            continue
        if r.id == qid:
            return classify(r)
    return "lost"


def cmd_flood(host, port, qname, count, source=None, then=None):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
    if source and source != "-":
        s.bind((source, 0))
    count = int(count)
    full = tc = other = 0
    s.setblocking(False)
    seen = set()
    marker = query("flood-end." + qname.split(".", 1)[1], qid=count)
    marked = False

    def drain():
        nonlocal full, tc, other, marked
        while True:
            try:
                data = s.recv(65535)
            except BlockingIOError:
                return
            r = dns.message.from_wire(data)
            if r.id in seen:
                raise Fail("answer id %d twice" % r.id)
            seen.add(r.id)
            if r.id == marker.id:
                marked = True
                continue
            kind = classify(r)
            if kind == "tc":
                tc += 1
            elif kind == "full":
                full += 1
            else:
                other += 1

    t0 = time.monotonic()
    for i in range(count):
        s.sendto(query(qname, qid=i).to_wire(), (host, int(port)))
        if i % 16 == 15:
            drain()
    # One socket is served in order: once the marker's answer is here,
    # every answer to the flood that was sent is here too.
    s.sendto(marker.to_wire(), (host, int(port)))
    end = time.monotonic() + WAIT_S
    while not marked and time.monotonic() < end:
        drain()
        time.sleep(0.01)
    if not marked:
        raise Fail("no answer to %s in %d s" % (marker.question[0].name,
                                               WAIT_S))
    line = "full %d tc %d other %d lost %d secs %.2f" % (
        full, tc, other, count - full - tc - other, time.monotonic() - t0)
    if then:
        line += " then " + ask_then(s, host, port, then, count + 1)
    print(line)


def cmd_spread(host, port, qname, count):
    for _ in range(int(count)):
        txt_of(dns.query.udp(query(qname), host, port=int(port),
                             timeout=10))


def collect(s, names, answers, want):
    """Read answers into answers (id -> rcode) until want have come or
    WAIT_S passes."""
    end = time.monotonic() + WAIT_S
    while len(answers) < want and time.monotonic() < end:
        s.settimeout(max(0.01, end - time.monotonic()))
        try:
            r = dns.message.from_wire(s.recv(65535))
        except socket.timeout:
            break
        if r.id >= len(names) or r.id in answers:
            raise Fail("unexpected or repeated answer id %d" % r.id)
        if r.question[0].name != dns.name.from_text(names[r.id]):
            raise Fail("answer %d is for %s" % (r.id, r.question[0].name))
        answers[r.id] = dns.rcode.to_text(r.rcode())


def cmd_burst(host, port, early, release, names):
    later = []
    if "--" in names:
        later = names[names.index("--") + 1:]
        names = names[:names.index("--")]
    every = names + later
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    answers = {}
    for i, name in enumerate(names):
        s.sendto(query(name, qid=i).to_wire(), (host, int(port)))
    collect(s, every, answers, int(early))
    for i, name in enumerate(later, len(names)):
        s.sendto(query(name, qid=i).to_wire(), (host, int(port)))
    collect(s, every, answers, int(early) + len(later))
    before = set(answers)
    if release != "-":
        urllib.request.urlopen(release, timeout=WAIT_S).read()
    collect(s, every, answers, len(every))
    for i in range(len(every)):
        if i not in answers:
            print("lost")
        else:
            print(answers[i], "early" if i in before else "late")


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    try:
        if cmd == "idle":
            cmd_idle(*args)
        elif cmd == "cap":
            cmd_cap(*args)
        elif cmd == "pipeline":
            cmd_pipeline(args[0], args[1], args[2:])
        elif cmd == "flood":
            cmd_flood(*args)
        elif cmd == "spread":
            cmd_spread(*args)
        elif cmd == "burst":
            cmd_burst(args[0], args[1], args[2], args[3], args[4:])
        else:
            print("unknown command " + cmd, file=sys.stderr)
            return 2
    except (Fail, OSError, dns.exception.DNSException) as e:
        print("dnsprobe: %s: %s" % (cmd, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    import dns.exception
    import dns.name
    sys.exit(main(sys.argv))

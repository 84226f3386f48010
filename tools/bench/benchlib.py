# SPDX-License-Identifier: BSD-3-Clause
# benchlib.py -- what every part of ctdns-bench shares: the processes it
# started, the simulated log's HTTP API, our own Merkle tree, the CT-over-DNS
# names, a pipelined DNS client, statistics and dnsperf runs.

import argparse
import base64
import bisect
import collections
import hashlib
import http.client
import json
import os
import random
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

try:
	import dns.message
	import dns.rcode
	import dns.rdatatype
except ImportError:
	sys.exit("ctdns-bench: needs dnspython (Debian: python3-dnspython); "
	    "run it with /usr/bin/python3")

ZONE = "bench.ct.example."
NODES_PER_ANSWER = 7
TYPE_TXT = 16


def note(msg):
	print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def die(msg):
	raise SystemExit("ctdns-bench: " + msg)


# ---- processes ---------------------------------------------------------

class Procs:
	"""The processes this run started; stop() ends them by pid only.
	quotas: the cgroups of --server-cpu-quota (benchquota.py), removed
	by stop_all() once the processes are stopped."""

	def __init__(self):
		self.procs = {}
		self.quotas = []

	def start(self, name, argv, tmp, cpu=None):
		out = open(os.path.join(tmp, name + ".out"), "wb")
		err = open(os.path.join(tmp, name + ".err"), "wb")
		if cpu is not None:
			argv = ["taskset", "-c", str(cpu)] + argv
		p = subprocess.Popen(argv, stdout=out, stderr=err,
		    stdin=subprocess.DEVNULL)
		out.close()
		err.close()
		self.procs[name] = p
		return p

	def stop(self, name, secs=10):
		p = self.procs.pop(name, None)
		if p is None or p.poll() is not None:
			return
		p.send_signal(signal.SIGTERM)
		try:
			p.wait(secs)
		except subprocess.TimeoutExpired:
			p.kill()
			p.wait()

	def stop_all(self):
		for name in list(self.procs):
			self.stop(name)
		for q in self.quotas:
			q.remove()
		self.quotas = []


def free_port():
	"""A port free for both UDP and TCP on 127.0.0.1 a moment ago."""
	for _ in range(100):
		t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
		t.bind(("127.0.0.1", 0))
		port = t.getsockname()[1]
		u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		try:
			u.bind(("127.0.0.1", port))
			return port
		except OSError:
			continue
		finally:
			u.close()
			t.close()
	die("no free port")


def children(pid):
	out = []
	try:
		for tid in os.listdir("/proc/%d/task" % pid):
			path = "/proc/%d/task/%s/children" % (pid, tid)
			with open(path) as f:
				out += [int(x) for x in f.read().split()]
	except OSError:
		pass
	return out


def proc_status(pid, key):
	"""A kB value of /proc/PID/status (VmHWM, VmRSS), or None."""
	try:
		with open("/proc/%d/status" % pid) as f:
			for line in f:
				if line.startswith(key + ":"):
					return int(line.split()[1])
	except OSError:
		pass
	return None


def cpu_ticks(pid):
	"""(user, system) clock ticks of pid, all threads."""
	try:
		with open("/proc/%d/stat" % pid) as f:
			fields = f.read().rsplit(")", 1)[1].split()
		return int(fields[11]), int(fields[12])
	except OSError:
		return 0, 0


def pin(pid, cpu):
	"""Pin every thread of pid to cpu."""
	if cpu is not None:
		subprocess.run(["taskset", "-a", "-p", "-c", str(cpu),
		    str(pid)],
		    stdout=subprocess.DEVNULL, check=True)


# ---- the simulated log's HTTP API -------------------------------------

class Sim:
	def __init__(self, port):
		self.port = port
		self.conn = None

	def get(self, path):
		for attempt in range(3):
			try:
				if self.conn is None:
					self.conn = http.client.HTTPConnection(
					    "127.0.0.1", self.port, timeout=30)
				self.conn.request("GET", path)
				r = self.conn.getresponse()
				body = r.read()
				if r.status != 200:
					die("%s: HTTP %d %s" % (path, r.status,
					    body[:200]))
				return json.loads(body)
			except (OSError, http.client.HTTPException):
				self.conn = None
				if attempt == 2:
					raise
				time.sleep(0.2)

	def stats(self):
		return self.get("/sim/stats")

	def upstream(self):
		"""Requests that cost the log work: all but the STH poller's
		get-sth."""
		s = self.stats()
		return s["total"] - s["get-sth"]


def start_sim(procs, opts, tmp, name, entries):
	ready = os.path.join(tmp, name + ".port")
	procs.start(name, [opts.sim, "-p", "0", "-n", str(entries),
	    "--ready-file", ready], tmp)
	deadline = time.time() + 600
	while time.time() < deadline:
		if procs.procs[name].poll() is not None:
			die("%s exited; see %s/%s.err" % (name, tmp, name))
		try:
			with open(ready) as f:
				port = int(f.read().strip() or 0)
			if port:
				break
		except (OSError, ValueError):
			pass
		time.sleep(0.2)
	else:
		die("%s did not start" % name)
	key = None
	for _ in range(50):
		with open(os.path.join(tmp, name + ".out")) as f:
			m = re.search(r"^key: (\S+)", f.read(), re.M)
		if m:
			key = m.group(1)
			break
		time.sleep(0.1)
	if key is None:
		die("%s printed no key" % name)
	return Sim(port), key


def fetch_leaf_hashes(sim, size):
	"""Leaf hashes of [0, size) from get-entries (256 per request)."""
	hashes = []
	while len(hashes) < size:
		start = len(hashes)
		end = min(size, start + 256) - 1
		j = sim.get("/ct/v1/get-entries?start=%d&end=%d" % (start, end))
		if not j["entries"]:
			die("get-entries returned nothing at %d" % start)
		for e in j["entries"]:
			leaf = base64.b64decode(e["leaf_input"])
			hashes.append(hashlib.sha256(b"\0" + leaf).digest())
	return hashes[:size]


# ---- Merkle tree (RFC 6962), our own computation ------------------------

class Tree:
	"""The levels of the RFC 6962 tree of the given leaf hashes: level k
	node j covers [j*2^k, min((j+1)*2^k, n)); a node without a right
	sibling is carried up unchanged, which is what MTH's split at the
	largest power of two below n gives."""

	def __init__(self, leaves):
		self.n = len(leaves)
		self.levels = [leaves]
		cur = leaves
		while len(cur) > 1:
			nxt = []
			for j in range(0, len(cur) - 1, 2):
				nxt.append(hashlib.sha256(b"\1" + cur[j] +
				    cur[j + 1]).digest())
			if len(cur) % 2:
				nxt.append(cur[-1])
			self.levels.append(nxt)
			cur = nxt

	def root(self):
		return self.levels[-1][0]

	def path(self, index):
		"""Audit path of leaf index in the full tree, leaf first."""
		out = []
		j = index
		for lvl in self.levels[:-1]:
			s = j ^ 1
			if s < len(lvl):
				out.append(lvl[s])
			j >>= 1
		return out


def path_len(index, size):
	n = 0
	ln = size - 1
	li = index
	while ln != 0:
		if (li & 1) or li < ln:
			n += 1
		li >>= 1
		ln >>= 1
	return n


def largest_pow2_below(n):
	k = 1
	while k << 1 < n:
		k <<= 1
	return k


def path_ranges(index, size):
	"""The ranges [begin, end) of the audit path's nodes (RFC 6962 2.1.1),
	leaf first."""
	out = []
	a, b, m = 0, size, index
	while b - a > 1:
		k = largest_pow2_below(b - a)
		if m < k:
			out.append((a + k, b))
			b = a + k
		else:
			out.append((a, a + k))
			a += k
			m -= k
	return out[::-1]


def consistency_ranges(first, second):
	"""The ranges of the consistency proof's nodes (RFC 6962 2.1.2)."""
	out = []
	a, b, m, whole = 0, second, first, True
	while m != b - a:
		k = largest_pow2_below(b - a)
		if m <= k:
			out.append((a + k, b))
			b = a + k
		else:
			out.append((a, a + k))
			a += k
			m -= k
			whole = False
	if not whole:
		out.append((a, b))
	return out[::-1]


def replay_fills(queries, sizes):
	"""Upstream requests a perfect server needs for queries asked one at a
	time, with ctdnsd's store rules: the poller holds every verified root
	and the consistency nodes between them; a path fill (tree miss, or
	hash miss at the current size) stores the whole path, the leaf and
	the leaf's index. queries: ("tree", start, index, size) or ("hash",
	index) or ("sth",)."""
	have = {(0, s) for s in sizes}
	for f, s in zip(sizes, sizes[1:]):
		have.update(consistency_ranges(f, s))
	leaves = set()
	fills = 0
	cur = sizes[-1]
	for q in queries:
		if q[0] == "tree":
			_, start, i, n = q
			pr = path_ranges(i, n)
			if all(r in have for r in
			    pr[start:start + NODES_PER_ANSWER]):
				continue
		elif q[0] == "hash":
			_, i = q
			if i in leaves:
				continue
			n = cur
			pr = path_ranges(i, n)
		else:
			continue
		fills += 1
		have.update(pr)
		have.add((i, i + 1))
		leaves.add(i)
	return fills, have, leaves


def b32name(h):
	return base64.b32encode(h).decode().rstrip("=")


def tree_name(start, index, size):
	return "%d.%d.%d.tree.%s" % (start, index, size, ZONE)


def hash_name(h):
	return "%s.hash.%s" % (b32name(h), ZONE)


def sth_name():
	return "sth." + ZONE


# ---- a pipelined DNS client -------------------------------------------

def wire_query(qid, name, edns=True):
	q = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 1 if edns else 0)
	for label in name.rstrip(".").split("."):
		q += bytes([len(label)]) + label.encode()
	q += b"\0" + struct.pack("!HH", TYPE_TXT, 1)
	if edns:
		q += b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)
	return q


class Result:
	__slots__ = ("rcode", "strings", "ttl", "latency", "tries")

	def __init__(self):
		self.rcode = None
		self.strings = None
		self.ttl = None
		self.latency = None
		self.tries = 0


def run_queries(port, names, window, timeout=5.0, retries=3,
    retry_servfail=0, edns=True, progress=None, until=None):
	"""Ask every name (TXT) with at most `window` queries in flight;
	retransmit after `timeout`; ask again after SERVFAIL up to
	retry_servfail times; send nothing new after time `until` (names
	never sent keep tries 0). Returns one Result per name, in order;
	latency is that of the last try."""
	res = [Result() for _ in names]
	sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
	sock.connect(("127.0.0.1", port))
	sock.setblocking(False)
	todo = collections.deque(range(len(names)))
	later = []		# (time, index): SERVFAIL retries
	inflight = {}		# qid -> (index, sent, lowered name)
	nextid = random.randrange(65536)
	done = 0
	last_note = time.time()
	while todo or later or inflight:
		now = time.time()
		if until is not None and now >= until:
			todo.clear()
			later = []
		while later and later[0][0] <= now:
			todo.append(later.pop(0)[1])
		while todo and len(inflight) < window:
			i = todo.popleft()
			while nextid in inflight:
				nextid = (nextid + 1) & 0xffff
			qid = nextid
			nextid = (nextid + 1) & 0xffff
			res[i].tries += 1
			sock.send(wire_query(qid, names[i], edns))
			inflight[qid] = (i, time.time(), names[i].lower())
		r, _, _ = select.select([sock], [], [], 0.05)
		if r:
			while True:
				try:
					pkt = sock.recv(65535)
				except BlockingIOError:
					break
				except ConnectionRefusedError:
					# ICMP port unreachable: not up yet.
					break
				t = time.time()
				if len(pkt) < 12:
					continue
				qid = struct.unpack("!H", pkt[:2])[0]
				ent = inflight.get(qid)
				if ent is None:
					continue
				i, sent, lname = ent
				try:
					m = dns.message.from_wire(pkt)
				except Exception:
					continue
				if (len(m.question) != 1 or
				    m.question[0].name.to_text().lower() !=
				    lname):
					continue
				del inflight[qid]
				rc = m.rcode()
				if (rc == dns.rcode.SERVFAIL and
				    res[i].tries <= retry_servfail):
					later.append((t + 0.2 * res[i].tries,
					    i))
					later.sort()
					continue
				res[i].rcode = rc
				res[i].latency = t - sent
				for rrset in m.answer:
					if rrset.rdtype == dns.rdatatype.TXT:
						res[i].strings = \
						    list(rrset[0].strings)
						res[i].ttl = rrset.ttl
				done += 1
		now = time.time()
		for qid, (i, sent, _) in list(inflight.items()):
			if now - sent > timeout:
				del inflight[qid]
				if res[i].tries <= retries:
					todo.append(i)
				else:
					done += 1
		if progress and now - last_note > 15:
			last_note = now
			note("%s: %d/%d answered" % (progress, done,
			    len(names)))
	sock.close()
	return res


def fill_names(opts, port, names, what):
	"""Ask every name once (filling a cold store), each at most
	opts.warm_window at a time, SERVFAIL asked again; every answer must
	be NOERROR with data, or the bench stops. The answers, in order."""
	t0 = time.time()
	res = run_queries(port, names, opts.warm_window, retry_servfail=5,
	    progress=what)
	bad = [(nm, r.rcode) for nm, r in zip(names, res) if r.rcode != 0 or
	    not r.strings]
	if bad:
		die("%s: %d of %d names not answered NOERROR with data; "
		    "first: %s rcode %s" % (what, len(bad), len(names),
		    bad[0][0], bad[0][1]))
	note("%s: %d names filled and answered NOERROR in %.1f s" % (what,
	    len(names), time.time() - t0))
	return res


def wait_sth(port, want_size, secs=60):
	deadline = time.time() + secs
	while time.time() < deadline:
		r = run_queries(port, [sth_name()], 1, timeout=1, retries=0)[0]
		if r.rcode == 0 and r.strings:
			size = int(b"".join(r.strings).split(b".")[0])
			if want_size is None or size == want_size:
				return size
		time.sleep(0.3)
	die("no STH%s served within %d s" % (
	    "" if want_size is None else " of size %d" % want_size, secs))


def percentile(xs, p):
	if not xs:
		return float("nan")
	xs = sorted(xs)
	k = min(len(xs) - 1, max(0, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
	return xs[k]


def median(xs):
	xs = sorted(xs)
	if not xs:
		return float("nan")
	m = len(xs) // 2
	return xs[m] if len(xs) % 2 else (xs[m - 1] + xs[m]) / 2


def descendants(pid):
	out = []
	for c in children(pid):
		out += [c] + descendants(c)
	return out



# ---- dnsperf -------------------------------------------------------------

def dnsperf(opts, port, qfile, secs, tmp, tag, rate=None, verbose=False):
	"""One dnsperf run, waited for; its statistics (see dnsperf_end)."""
	return dnsperf_end(dnsperf_start(opts, port, qfile, secs, tmp, tag,
	    rate, verbose), verbose)


def dnsperf_start(opts, port, qfile, secs, tmp, tag, rate=None,
    verbose=False):
	"""Start dnsperf on opts.client_cpu; returns (Popen, output path) for
	dnsperf_end. rate: dnsperf -Q; verbose: -v (every answer's latency)."""
	argv = ["taskset", "-c", str(opts.client_cpu)] if \
	    opts.client_cpu is not None else []
	argv += [opts.dnsperf, "-s", "127.0.0.1", "-p", str(port), "-d", qfile,
	    "-l", str(secs), "-c", str(opts.clients), "-q",
	    str(opts.outstanding), "-t", "2"]
	if opts.edns:
		argv.append("-e")
	if rate:
		argv += ["-Q", str(rate)]
	if verbose:
		argv.append("-v")
	out = os.path.join(tmp, "dnsperf-%s.out" % tag)
	with open(out, "w") as f:
		p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT,
		    stdin=subprocess.DEVNULL)
	return p, out


def dnsperf_end(run, verbose):
	"""Wait for a dnsperf_start run and parse its output: sent,
	completed, lost, qps, avg (s), rcodes, resp_size, and lat (s, every
	answer's, with verbose). Dies if dnsperf printed no statistics."""
	p, out = run
	p.wait()
	st = {"lat": []}
	with open(out) as f:
		for line in f:
			if verbose and line.startswith("> "):
				st["lat"].append(float(line.split()[-1]))
				continue
			m = re.match(r"\s*Queries sent:\s+(\d+)", line)
			if m:
				st["sent"] = int(m.group(1))
			m = re.match(r"\s*Queries completed:\s+(\d+)", line)
			if m:
				st["completed"] = int(m.group(1))
			m = re.match(r"\s*Queries lost:\s+(\d+)", line)
			if m:
				st["lost"] = int(m.group(1))
			m = re.match(r"\s*Queries per second:\s+([\d.]+)", line)
			if m:
				st["qps"] = float(m.group(1))
			m = re.match(r"\s*Average Latency \(s\):\s+([\d.]+)",
			    line)
			if m:
				st["avg"] = float(m.group(1))
			m = re.match(r"\s*Response codes:\s+(.*)", line)
			if m:
				st["rcodes"] = m.group(1)
			m = re.match(r"\s*Average packet size:.*response (\d+)",
			    line)
			if m:
				st["resp_size"] = int(m.group(1))
	if "qps" not in st:
		die("dnsperf gave no statistics; see " + out)
	os.unlink(out)
	return st


# ---- profiles ------------------------------------------------------------

def perf_profile(opts, pid, port, qfile, tmp, name):
	"""perf record (cpu-clock, every thread of pid) during one dnsperf
	run; the top binaries and symbols by self time, as text."""
	data = os.path.join(tmp, "perf-%s.data" % name)
	p = subprocess.Popen(["perf", "record", "-q", "-e", "cpu-clock",
	    "-F", "2000", "-p", str(pid), "-o", data, "--", "sleep",
	    str(opts.duration)], stdout=subprocess.DEVNULL,
	    stderr=subprocess.DEVNULL)
	time.sleep(0.3)
	dnsperf(opts, port, qfile, opts.duration - 1, tmp, "perf-" + name)
	p.wait()
	out = []
	for sort, limit in (("dso", 0.5), ("dso,symbol", opts.perf_limit)):
		r = subprocess.run(["perf", "report", "-i", data, "--stdio",
		    "--no-children", "--sort", sort, "--percent-limit",
		    str(limit)], capture_output=True, text=True)
		out += [re.sub(r"[\s-]+$", "", line) for line in
		    r.stdout.splitlines() if line.strip() and
		    not line.startswith("#")]
		out.append("")
	return "\n".join(out)

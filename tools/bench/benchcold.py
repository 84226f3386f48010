# SPDX-License-Identifier: BSD-3-Clause
# benchcold.py -- the cold-store part of ctdns-bench: upstream requests per
# distinct missing range set, identical concurrent misses, miss latency.

from benchlib import *
from benchservers import *

# ---- the cold store ------------------------------------------------------

def zipf_sampler(n, s, rng):
	cdf = []
	acc = 0.0
	for k in range(1, n + 1):
		acc += 1.0 / k ** s
		cdf.append(acc)
	perm = list(range(n))
	rng.shuffle(perm)

	def draw(limit=None):
		while True:
			x = rng.random() * acc
			leaf = perm[bisect.bisect_left(cdf, x)]
			if limit is None or leaf < limit:
				return leaf
	return draw


def cold_pass(opts, sim, cport, names, window):
	"""Ask the workload once; upstream requests it cost, results, time."""
	sim.get("/sim/reset-stats")
	t0 = time.time()
	res = run_queries(cport, names, window, timeout=10, retries=0)
	elapsed = time.time() - t0
	st = sim.stats()
	return st["total"] - st["get-sth"], st, res, elapsed


def cold(opts, procs, tmp):
	n0 = opts.cold_leaves
	grow = max(1, n0 // 10)
	note("cold: ctlog-sim with %d entries, growing %d times by %d" % (
	    n0, opts.cold_sizes - 1, grow))
	sim, key = start_sim(procs, opts, tmp, "sim-cold", n0)
	cport = free_port()
	db = os.path.join(tmp, "db-cold")
	os.mkdir(db)
	zfile = os.path.join(tmp, "apex.zone")
	with open(zfile, "w") as f:
		f.write(zone_apex_text(opts))
	conf = os.path.join(tmp, "ctdnsd-cold.conf")
	ctdnsd_conf(conf, cport, db, zfile, sim.port, key, opts, 1)
	start_ctdnsd(procs, opts, tmp, "ctdnsd-cold", conf, cport,
	    opts.server_cpu)
	sizes = [wait_sth(cport, n0)]
	for _ in range(opts.cold_sizes - 1):
		sim.get("/sim/grow?n=%d" % grow)
		sizes.append(wait_sth(cport, sizes[-1] + grow))
	cur = sizes[-1]
	note("cold: verified tree sizes %s" % sizes)
	# The store as the poller left it, for the second pass.
	snap = os.path.join(tmp, "db-cold-snap")
	os.mkdir(snap)
	subprocess.run([opts.mdb_copy, db, snap], check=True)
	leaves = fetch_leaf_hashes(sim, cur)
	rng = random.Random(opts.seed + 1)
	draw = zipf_sampler(cur, opts.zipf, rng)

	# The workload: Zipf leaves; tree queries at the current size or an
	# older verified one; hash queries (always the current tree); sth.
	names = []
	sets = set()
	replay = []
	for _ in range(opts.cold_queries):
		x = rng.random() * 100
		if x < opts.mix[0]:
			size = cur if rng.random() < 0.6 else \
			    rng.choice(sizes[:-1])
			i = draw(size)
			plen = path_len(i, size)
			s = rng.randrange(0, plen, NODES_PER_ANSWER)
			names.append(tree_name(s, i, size))
			sets.add(("path", i, size))
			replay.append(("tree", s, i, size))
		elif x < opts.mix[0] + opts.mix[1]:
			i = draw()
			names.append(hash_name(leaves[i]))
			sets.add(("hash", i))
			replay.append(("hash", i))
		else:
			names.append(sth_name())
			replay.append(("sth",))
	# The bound: the fills a sequential replay of the workload needs, each
	# one a distinct missing range set (see replay_fills).
	bound, have, fetched = replay_fills(replay, sizes)

	# Pass 1: one query at a time; pass 2: the same workload on the same
	# starting store, cold_window queries in flight.
	note("cold: %d queries one at a time" % len(names))
	up1, st1, res1, el1 = cold_pass(opts, sim, cport, names, 1)
	procs.stop("ctdnsd-cold")
	db2 = os.path.join(tmp, "db-cold2")
	shutil.copytree(snap, db2)
	conf2 = os.path.join(tmp, "ctdnsd-cold2.conf")
	ctdnsd_conf(conf2, cport, db2, zfile, sim.port, key, opts, 1)
	cproc = start_ctdnsd(procs, opts, tmp, "ctdnsd-cold2", conf2, cport,
	    opts.server_cpu)
	wait_sth(cport, cur)
	note("cold: the same queries, %d in flight, on the same fresh store"
	    % opts.cold_window)
	up, st, res, elapsed = cold_pass(opts, sim, cport, names,
	    opts.cold_window)
	rc = collections.Counter(dns.rcode.to_text(r.rcode) if r.rcode is not
	    None else "lost" for r in res)
	seen = set()
	first, repeat = [], []
	for nm, r in zip(names, res):
		if r.latency is None:
			continue
		(repeat if nm in seen else first).append(r.latency)
		seen.add(nm)

	# Leaves that neither the workload nor each other filled: a tree
	# query for them from node 0 is a miss (its sibling leaf is absent).
	taken = set()

	def fresh(limit):
		while True:
			i = rng.randrange(limit)
			if (i in fetched or (i ^ 1) in fetched or i in taken or
			    (i ^ 1, (i ^ 1) + 1) in have):
				continue
			taken.update((i, i ^ 1))
			return i

	# Identical concurrent misses: K copies of one name never asked.
	herd = []
	usize = sizes[0] - 3
	while usize & (usize - 1) == 0 or usize in sizes:
		usize -= 1
	cases = [
	    ("tree, current size", lambda i: tree_name(0, i, cur), cur),
	    ("tree, older verified size", lambda i: tree_name(0, i, sizes[0]),
	    sizes[0]),
	    ("hash", lambda i: hash_name(leaves[i]), cur),
	    ("tree, unverified size (root + path)",
	    lambda i: tree_name(0, i, usize), usize),
	]
	for label, mk, lim in cases:
		nm = mk(fresh(lim))
		before = sim.upstream()
		r = run_queries(cport, [nm] * opts.herd, opts.herd,
		    timeout=10, retries=0)
		time.sleep(0.2)
		herd.append((label, opts.herd, sim.upstream() - before,
		    sum(1 for x in r if x.rcode == 0)))

	# Latency of a miss, one query at a time, and of the same name again.
	miss = {"tree": [], "hash": []}
	hit = []
	for k in range(opts.miss_samples):
		for kind, nm in (("tree", tree_name(0, fresh(cur), cur)),
		    ("hash", hash_name(leaves[fresh(cur)]))):
			r = run_queries(cport, [nm], 1, timeout=10,
			    retries=0)[0]
			if r.rcode == 0:
				miss[kind].append(r.latency)
			if kind == "tree":
				r = run_queries(cport, [nm], 1, timeout=10,
				    retries=0)[0]
				if r.rcode == 0:
					hit.append(r.latency)
	# The log's own latency for the same kind of request, for comparison.
	direct = {"tree": [], "hash": []}
	for k in range(opts.miss_samples):
		i = rng.randrange(cur)
		t0 = time.time()
		sim.get("/ct/v1/get-entry-and-proof?leaf_index=%d&tree_size=%d"
		    % (i, cur))
		direct["tree"].append(time.time() - t0)
		h = base64.b64encode(leaves[rng.randrange(cur)]).decode()
		t0 = time.time()
		sim.get("/ct/v1/get-proof-by-hash?hash=%s&tree_size=%d" % (
		    h.replace("+", "%2B").replace("/", "%2F").replace("=",
		    "%3D"), cur))
		direct["hash"].append(time.time() - t0)
	hwm = proc_status(cproc.pid, "VmHWM")
	procs.stop("ctdnsd-cold2")
	procs.stop("sim-cold")

	def detail(stt):
		return ", ".join("%s %d" % (k, v) for k, v in stt.items()
		    if k not in ("total", "get-sth") and v)

	print()
	print("== cold store: %d DNS queries, Zipf s=%.2f over %d leaves, "
	    "tree sizes %s" % (len(names), opts.zipf, cur, sizes))
	print("   mix %d%% tree (60%% at the current size), %d%% hash, %d%% "
	    "sth; %d distinct names, %d (leaf, size) pairs and hash leaves" % (
	    opts.mix[0], opts.mix[1], opts.mix[2], len(set(names)), len(sets)))
	print("   distinct missing range sets (sequential replay): %d" % bound)
	print()
	print("   %-22s %9s %10s %9s   %s" % ("pass", "upstream", "per query",
	    "per set", "requests"))
	print("   %-22s %9d %10.4f %9.3f   %s" % ("one at a time", up1,
	    up1 / len(names), up1 / max(1, bound), detail(st1)))
	print("   %-22s %9d %10.4f %9.3f   %s" % ("%d in flight" %
	    opts.cold_window, up, up / len(names), up / max(1, bound),
	    detail(st)))
	print("   (target: at most 1 request per set; the one-at-a-time pass "
	    "took %.1f s)" % el1)
	print()
	print("   %d in flight: rcodes %s; %.1f s (%.0f queries/s)" % (
	    opts.cold_window, ", ".join("%s %d" % kv for kv in
	    sorted(rc.items())), elapsed, len(names) / elapsed))
	print("   latency, first time a name is asked: median %.2f ms, p99 "
	    "%.2f ms (%d)" % (median(first) * 1e3, percentile(first, 99) * 1e3,
	    len(first)))
	print("   latency, repeated names: median %.2f ms, p99 %.2f ms (%d)" % (
	    median(repeat) * 1e3, percentile(repeat, 99) * 1e3, len(repeat)))
	print()
	print("   identical concurrent misses (%d copies at once):" % opts.herd)
	for label, k, u, ok in herd:
		print("     %-38s upstream requests %d  answered %d/%d" % (
		    label, u, ok, k))
	print()
	print("   one miss at a time (%d samples; the log is on loopback):" %
	    opts.miss_samples)
	for kind, req in (("tree", "get-entry-and-proof"),
	    ("hash", "get-proof-by-hash")):
		print("     %-5s miss: median %.2f ms, p99 %.2f ms   (%s "
		    "asked directly: median %.2f ms, p99 %.2f ms)" % (kind,
		    median(miss[kind]) * 1e3, percentile(miss[kind], 99) * 1e3,
		    req, median(direct[kind]) * 1e3,
		    percentile(direct[kind], 99) * 1e3))
	print("     tree  hit (same name again): median %.3f ms, p99 %.3f ms" %
	    (median(hit) * 1e3, percentile(hit, 99) * 1e3))
	print("   ctdnsd VmHWM %.1f MB" % ((hwm or 0) / 1024.0))
	print(flush=True)

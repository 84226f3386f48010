# SPDX-License-Identifier: BSD-3-Clause
# benchtiledcold.py -- ctdns-bench --cold-tiled: the cold tiled proxy, tile
# requests per distinct proof as the store fills, the hit ratio, and a
# miss's latency against the log's own time to serve the same tiles.
#
# One ctlog-sim --static of --cold-tiled-leaves entries, one ctdnsd with a
# fresh store fronting it as a tiled proxy (monitoring-url:, the same
# configuration as the --kinds part's "tiled" server). The workload is the
# cold part's Zipf law (--zipf, over a random permutation of the leaves):
# tree queries at the checkpoint's size, each at a random start of its
# path, drawn until --cold-tiled-proofs distinct leaves (distinct proofs)
# have been asked. It is asked in order, one query at a time; the sim's
# tile counters (/sim/stats: tile-0 .. tile-5; the poller's checkpoint is
# left out) are read around every first query of a proof and around each
# run of repeated ones, so every request is charged to the query that
# caused it: a query that caused none is a hit. A later query of a proof
# may cost a request too: one DNS answer is 7 nodes of the path, and
# another part of it may lie in a tile the first did not need. The report
# gives, at the 1 000th, 10 000th, ... distinct proof, all tile requests
# so far per distinct proof, the same over the last interval, and the hit
# ratio of the queries.
#
# Miss latency: the latency of every query that caused tile requests
# (our client's clock, as in the cold part), against the log's own: for a
# sample of those misses (--miss-samples), the tiles that miss needed (its
# path's nodes and its leaf, at each tile level, lowest level first, as
# many as it asked for; the upper tiles were stored by then), fetched
# directly from the sim in parallel on kept-alive connections, and timed.

import concurrent.futures
import threading

from benchlib import *
from benchcold import zipf_sampler
from benchkinds import kinds_conf
from benchmirror import start_mirror_sim
from benchservers import start_ctdnsd, zone_apex_text


def tile_count(sim):
	"""Hash tile requests the sim served (all levels)."""
	s = sim.stats()
	return sum(s.get("tile-%d" % level, 0) for level in range(6))


def tile_path(level, index, size):
	"""The C2SP tlog-tiles path of hash tile (level, index) in a tree
	of size entries: a partial tile ends in .p/<width>."""
	width = min(256, (size >> (8 * level)) - 256 * index)
	groups = []
	while True:
		groups.insert(0, "%03d" % (index % 1000))
		index //= 1000
		if index == 0:
			break
	path = "tile/%d/%s" % (level, "/".join(
	    ["x" + g for g in groups[:-1]] + groups[-1:]))
	if width < 256:
		path += ".p/%d" % width
	return path


def proof_tiles(leaf, size):
	"""The hash tiles holding the leaf and every node of its audit path
	at this size, lowest level first: each node is a complete subtree
	(an incomplete right edge splits into complete ones), found in the
	tile of level height // 8."""
	tiles = set()
	for a, b in path_ranges(leaf, size) + [(leaf, leaf + 1)]:
		while a < b:
			h = 0
			while a % (2 << h) == 0 and a + (2 << h) <= b:
				h += 1
			level = h // 8
			first = a >> (8 * level)
			tiles.add((level, first >> 8))
			a += 1 << h
	return [tile_path(lv, ix, size) for lv, ix in sorted(tiles)]


def tiled_workload(opts, n, rng):
	"""(names, leaves): Zipf-drawn tree queries at size n until
	--cold-tiled-proofs distinct leaves have been drawn."""
	draw = zipf_sampler(n, opts.zipf, rng)
	names, leaves, seen = [], [], set()
	want = min(n, opts.cold_tiled_proofs)
	while len(seen) < want:
		i = draw()
		s = rng.randrange(0, path_len(i, n), NODES_PER_ANSWER)
		names.append(tree_name(s, i, n))
		leaves.append(i)
		seen.add(i)
	return names, leaves


class Ledger:
	"""What the pass observed: per distinct proof its tile requests
	and the index of its first query, the misses (query index,
	requests, latency), per query whether it caused a request (a run of
	repeated queries that caused any counts whole), the requests of
	repeated queries, and the bad answers."""

	def __init__(self):
		self.proofs = []	# tile requests of each first query
		self.cum = []		# all tile requests up to each first query
		self.first = []		# query index of each first query
		self.misses = []	# (query index, requests, latency)
		self.missed = []	# per query: caused a tile request
		self.queries = 0
		self.hits = 0
		self.repeat_requests = 0
		self.bad = collections.Counter()

	def answer(self, r):
		self.queries += 1
		if r.rcode != 0 or not r.strings:
			self.bad[dns.rcode.to_text(r.rcode) if r.rcode is not
			    None else "lost"] += 1


def tiled_pass(sim, port, names, leaves):
	"""Ask names in order, one at a time; charge the sim's tile
	requests to the queries that caused them. Returns a Ledger."""
	led = Ledger()
	seen = set()
	base = led.start = tile_count(sim)
	k = 0
	while k < len(names):
		if leaves[k] not in seen:
			seen.add(leaves[k])
			r = run_queries(port, [names[k]], 1, timeout=10,
			    retries=0)[0]
			now = tile_count(sim)
			led.answer(r)
			led.proofs.append(now - base)
			led.cum.append(now - led.start)
			led.first.append(k)
			led.missed.append(now > base)
			if now > base:
				led.misses.append((k, now - base, r.latency))
			else:
				led.hits += 1
			base = now
			k += 1
			if len(seen) % 1000 == 0:
				note("cold-tiled: %d distinct proofs, %d tile "
				    "requests" % (len(seen), sum(led.proofs)))
			continue
		j = k
		while j < len(names) and leaves[j] in seen:
			j += 1
		res = run_queries(port, names[k:j], 1, timeout=10, retries=0)
		now = tile_count(sim)
		for r in res:
			led.answer(r)
		if now == base:
			led.hits += j - k
		led.missed += [now > base] * (j - k)
		led.repeat_requests += now - base
		base = now
		k = j
	return led


def sim_tile_times(sim, misses, leaves, size, samples, rng):
	"""For a sample of misses: (our latency, the sim's wall time for the
	same number of that proof's tiles, fetched in parallel)."""
	local = threading.local()

	def fetch(path):
		if getattr(local, "conn", None) is None:
			local.conn = http.client.HTTPConnection("127.0.0.1",
			    sim.port, timeout=30)
		local.conn.request("GET", "/" + path)
		r = local.conn.getresponse()
		r.read()
		if r.status != 200:
			die("sim: /%s: HTTP %d" % (path, r.status))

	out = []
	pick = rng.sample(misses, min(samples, len(misses)))
	with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
		list(pool.map(fetch, proof_tiles(0, size)))	# connect
		for k, count, lat in pick:
			tiles = proof_tiles(leaves[k], size)[:count]
			t0 = time.time()
			list(pool.map(fetch, tiles))
			out.append((lat, time.time() - t0))
	return out


def cold_tiled(opts, procs, tmp):
	n = opts.cold_tiled_leaves
	note("cold-tiled: starting ctlog-sim --static with %d entries" % n)
	sim, key, url, gen = start_mirror_sim(procs, opts, tmp, "coldtiled",
	    n)
	pin(procs.procs["sim-coldtiled"].pid, opts.client_cpu)
	zfile = os.path.join(tmp, "coldtiled.zone")
	with open(zfile, "w") as f:
		f.write(zone_apex_text(opts))
	port = free_port()
	db = os.path.join(tmp, "db-coldtiled")
	os.mkdir(db)
	conf = os.path.join(tmp, "ctdnsd-coldtiled.conf")
	kinds_conf(conf, port, db, opts, zfile, url, key, "tiled")
	cproc = start_ctdnsd(procs, opts, tmp, "ctdnsd-coldtiled", conf, port,
	    opts.server_cpu)
	rng = random.Random(opts.seed + 7)
	names, leaves = tiled_workload(opts, n, rng)
	note("cold-tiled: %d queries, %d distinct proofs, one at a time" % (
	    len(names), len(set(leaves))))
	sim.get("/sim/reset-stats")
	t0 = time.time()
	led = tiled_pass(sim, port, names, leaves)
	elapsed = time.time() - t0
	load = os.getloadavg()[0]
	timed = sim_tile_times(sim, led.misses, leaves, n, opts.miss_samples,
	    rng)
	hwm = proc_status(cproc.pid, "VmHWM")
	procs.stop("ctdnsd-coldtiled")
	procs.stop("sim-coldtiled")
	tiled_report(opts, n, names, led, timed, elapsed, load, hwm)


def milestones(count):
	out = []
	m = 1000
	while m < count:
		out.append(m)
		m *= 10
	return out + [count]


def tiled_report(opts, n, names, led, timed, elapsed, load, hwm):
	print()
	print("== cold tiled proxy: %d tree queries at size %d, Zipf s=%.2f; "
	    "%d distinct proofs; one at a time, %.1f s; load %.2f" % (
	    len(names), n, opts.zipf, len(led.proofs), elapsed, load))
	print("   answers: %d NOERROR with data of %d%s" % (led.queries -
	    sum(led.bad.values()), led.queries, "".join(", %s %d" % kv for
	    kv in sorted(led.bad.items()))))
	print()
	print("   %-16s %12s %12s %14s %s" % ("distinct proofs",
	    "tile reqs", "per proof", "per proof in", "  hit ratio of the"))
	print("   %-16s %12s %12s %14s %s" % ("(first N)", "(cumul.)",
	    "(cumul.)", "the interval", "  interval's queries"))
	prev_m = prev_req = prev_q = 0
	for m in milestones(len(led.proofs)):
		req = led.cum[m - 1]
		q = led.first[m - 1] + 1 if m < len(led.proofs) else \
		    len(led.missed)
		hits = q - prev_q - sum(led.missed[prev_q:q])
		print("   %-16d %12d %12.3f %14.3f %8.4f of %d" % (m, req,
		    req / m, (req - prev_req) / (m - prev_m),
		    hits / max(1, q - prev_q), q - prev_q))
		prev_m, prev_req, prev_q = m, req, q
	print("   hit ratio: %.4f (%d of %d queries caused no tile request; "
	    "%d distinct proofs of %d were hits)" % (led.hits /
	    max(1, led.queries), led.hits, led.queries,
	    sum(1 for x in led.proofs if x == 0), len(led.proofs)))
	print("   tile requests: %d by first queries of a proof, %d by later "
	    "queries of a proof already asked\n   (another part of its path, "
	    "whose tile the first query did not need)" % (sum(led.proofs),
	    led.repeat_requests))
	print()
	per = collections.Counter(c for _, c, _ in led.misses)
	print("   tile requests per miss: %s" % ", ".join("%d: %d misses" % kv
	    for kv in sorted(per.items())))
	lat = [x[2] for x in led.misses if x[2] is not None]
	print("   misses: %d; latency median %.2f ms, p99 %.2f ms (our "
	    "client's clock)" % (len(lat), median(lat) * 1e3,
	    percentile(lat, 99) * 1e3))
	ours = [a for a, _ in timed if a is not None]
	sims = [b for _, b in timed]
	print("   sample of %d misses: ctdnsd median %.2f ms, p99 %.2f ms; the "
	    "same tiles from the sim directly (parallel, kept-alive): median "
	    "%.2f ms, p99 %.2f ms" % (len(timed), median(ours) * 1e3,
	    percentile(ours, 99) * 1e3, median(sims) * 1e3,
	    percentile(sims, 99) * 1e3))
	print("   ctdnsd VmHWM %.1f MB" % ((hwm or 0) / 1024.0))
	print(flush=True)

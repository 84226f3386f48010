# SPDX-License-Identifier: BSD-3-Clause
# benchmixed.py -- the mixed part of ctdns-bench: warm hits at a fixed rate
# while a cold workload fills misses at the upstream cap.
#
# ctdnsd (one worker, pinned to the server CPU) starts on a fresh store
# beside ctlog-sim. A set of hot names (node 0 of the tree answer of
# --mixed-hot random leaves at the current size, and the sth) is asked once
# so that they are stored; every answer must be NOERROR. Then, for each
# round, dnsperf asks the hot names at --mixed-qps with -v (every answer's
# latency) twice: once alone ("idle") and once while this process sends
# hash queries for leaves never asked before, --mixed-window in flight
# (twice the upstream cap by default, so the cap stays full). Each of those
# is a distinct miss: ctdnsd must ask the log (get-proof-by-hash) and commit
# the leaf, its index and its path to LMDB before it answers. ctlog-sim and
# the sender share dnsperf's CPU, so ctdnsd keeps its own; ctlog-sim's
# /sim/stats counts the upstream requests of each fill phase.
#
# The figures: the hits' p50 and p99 when idle and during the fills (pooled
# over the rounds, and per round), the fill rate and the upstream requests
# per fill. The target is p99 during the fills within 2x of idle.

from benchlib import *
from benchservers import *


def mixed_setup(opts, procs, tmp):
	"""ctlog-sim and a fresh ctdnsd; the hot names stored; returns (sim,
	ctdnsd's pid and port, the hot query file, the cold names)."""
	n = opts.mixed_leaves
	note("mixed: ctlog-sim with %d entries" % n)
	sim, key = start_sim(procs, opts, tmp, "sim-mixed", n)
	pin(procs.procs["sim-mixed"].pid, opts.client_cpu)
	cport = free_port()
	db = os.path.join(tmp, "db-mixed")
	os.mkdir(db)
	zfile = os.path.join(tmp, "apex.zone")
	with open(zfile, "w") as f:
		f.write(zone_apex_text(opts))
	conf = os.path.join(tmp, "ctdnsd-mixed.conf")
	ctdnsd_conf(conf, cport, db, zfile, sim.port, key, opts, 60)
	cproc = start_ctdnsd(procs, opts, tmp, "ctdnsd-mixed", conf, cport,
	    opts.server_cpu)
	wait_sth(cport, n)
	leaves = fetch_leaf_hashes(sim, n)
	rng = random.Random(opts.seed + 2)
	perm = list(range(n))
	rng.shuffle(perm)
	hot = perm[:opts.mixed_hot]
	hnames = [tree_name(0, i, n) for i in hot] + [sth_name()]
	res = run_queries(cport, hnames, 16, retry_servfail=5)
	bad = sum(1 for r in res if r.rcode != 0 or not r.strings)
	if bad:
		die("mixed: %d of %d hot names not answered NOERROR" % (
		    bad, len(hnames)))
	qfile = os.path.join(tmp, "mixed-hot.txt")
	with open(qfile, "w") as f:
		for nm in hnames:
			f.write(nm + " TXT\n")
	# A leaf whose tree answer was asked is stored with its index, so
	# only the other leaves are misses for a hash query.
	cold = [hash_name(leaves[i]) for i in perm[opts.mixed_hot:]]
	note("mixed: %d hot names stored; %d cold names available" % (
	    len(hnames), len(cold)))
	return sim, cproc.pid, cport, qfile, cold


def check_alive(procs, tmp, names):
	"""Die, with the exit status and the end of its stderr, if one of
	the named processes has exited."""
	for name in names:
		p = procs.procs.get(name)
		if p is not None and p.poll() is not None:
			try:
				with open(os.path.join(tmp, name + ".err")) as f:
					tail = f.read()[-600:]
			except OSError:
				tail = ""
			die("mixed: %s exited with status %s:\n%s" % (name,
			    p.returncode, tail))


def fill_phase(opts, sim, cport, qfile, tmp, tag, cold, pos):
	"""dnsperf on the hot names while cold[pos:] are asked, at most
	--mixed-window in flight, until dnsperf is done. Returns (dnsperf
	statistics, names sent, answers by rcode, upstream requests,
	seconds the sender ran)."""
	before = sim.upstream()
	run = dnsperf_start(opts, cport, qfile, opts.mixed_duration, tmp, tag,
	    rate=opts.mixed_qps, verbose=True)
	t0 = time.time()
	names = cold[pos:]
	res = run_queries(cport, names, opts.mixed_window, timeout=10,
	    retries=0, until=t0 + opts.mixed_duration)
	elapsed = time.time() - t0
	st = dnsperf_end(run, True)
	sent = sum(1 for r in res if r.tries)
	if pos + sent >= len(cold):
		die("mixed: out of cold names (raise --mixed-leaves)")
	rc = collections.Counter(dns.rcode.to_text(r.rcode) if r.rcode is not
	    None else "lost" for r in res if r.tries)
	return st, sent, rc, sim.upstream() - before, elapsed


def mixed(opts, procs, tmp):
	sim, cpid, cport, qfile, cold = mixed_setup(opts, procs, tmp)
	# One short run first, so that neither measured phase pays for a
	# cold start of dnsperf or the server's pages.
	dnsperf(opts, cport, qfile, 2, tmp, "mixed-pre", rate=opts.mixed_qps)
	idle, busy, fills = [], [], []
	pos = 0
	for rnd in range(opts.mixed_rounds):
		st = dnsperf(opts, cport, qfile, opts.mixed_duration, tmp,
		    "mixed-idle-%d" % rnd, rate=opts.mixed_qps, verbose=True)
		idle.append(st)
		note("mixed %d idle:  hits p50 %.3f ms p99 %.3f ms, %d answers, "
		    "lost %d" % (rnd + 1, median(st["lat"]) * 1e3,
		    percentile(st["lat"], 99) * 1e3, len(st["lat"]),
		    st["lost"]))
		check_alive(procs, tmp, ("sim-mixed", "ctdnsd-mixed"))
		st, sent, rc, up, el = fill_phase(opts, sim, cport, qfile, tmp,
		    "mixed-fill-%d" % rnd, cold, pos)
		check_alive(procs, tmp, ("sim-mixed", "ctdnsd-mixed"))
		pos += sent
		busy.append(st)
		fills.append((sent, rc, up, el))
		note("mixed %d fills: hits p50 %.3f ms p99 %.3f ms, %d answers, "
		    "lost %d; %d misses sent (%.0f/s), %s, %d upstream requests"
		    % (rnd + 1, median(st["lat"]) * 1e3,
		    percentile(st["lat"], 99) * 1e3, len(st["lat"]), st["lost"],
		    sent, sent / el, ", ".join("%s %d" % kv for kv in
		    sorted(rc.items())), up))
	hwm = proc_status(cpid, "VmHWM")
	procs.stop("ctdnsd-mixed")
	procs.stop("sim-mixed")
	report_mixed(opts, idle, busy, fills, hwm)


def report_mixed(opts, idle, busy, fills, hwm):
	def pooled(runs):
		out = []
		for st in runs:
			out += st["lat"]
		return out

	li, lb = pooled(idle), pooled(busy)
	print()
	print("== mixed: hits at %d qps (dnsperf -Q %d -c %d -v, %d hot names) "
	    "while distinct misses fill,\n   %d in flight (upstream-concurrency "
	    "%d); %d rounds of %d s idle, then %d s with fills" % (
	    opts.mixed_qps, opts.mixed_qps, opts.clients, opts.mixed_hot + 1,
	    opts.mixed_window, opts.upstream_concurrency, opts.mixed_rounds,
	    opts.mixed_duration, opts.mixed_duration))
	print()
	print("   %-13s %8s %8s %8s %8s %9s %7s %6s" % ("hits", "p50 ms",
	    "p99 ms", "max ms", "qps", "answers", "lost", "rcodes"))
	for label, runs, ls in (("idle", idle, li), ("during fills", busy,
	    lb)):
		print("   %-13s %8.3f %8.3f %8.3f %8.0f %9d %7d   %s" % (label,
		    median(ls) * 1e3, percentile(ls, 99) * 1e3,
		    max(ls) * 1e3 if ls else float("nan"),
		    median([st["qps"] for st in runs]), len(ls),
		    sum(st["lost"] for st in runs),
		    "; ".join(st.get("rcodes", "-") for st in runs)))
	print()
	print("   p99 during fills / idle: %.2f (pooled; target at most 2)   "
	    "per round: %s" % (percentile(lb, 99) / percentile(li, 99),
	    " ".join("%.2f" % (percentile(b["lat"], 99) /
	    percentile(a["lat"], 99)) for a, b in zip(idle, busy))))
	print("   p50 during fills / idle: %.2f (pooled)" % (
	    median(lb) / median(li)))
	print("   qps: dnsperf's answered rate, median of rounds; under the "
	    "offered %d, the server fell\n   behind and dnsperf's -q %d "
	    "outstanding queries capped the rate" % (opts.mixed_qps,
	    opts.outstanding))
	sent = sum(x[0] for x in fills)
	up = sum(x[2] for x in fills)
	secs = sum(x[3] for x in fills)
	rc = collections.Counter()
	for x in fills:
		rc.update(x[1])
	print("   fills: %d distinct misses sent, %.0f per second; answers %s; "
	    "%d upstream requests (%.3f per miss)" % (sent, sent / secs,
	    ", ".join("%s %d" % kv for kv in sorted(rc.items())), up,
	    up / max(1, sent)))
	print("   ctdnsd VmHWM %.1f MB; load average (1 min) %.2f" % (
	    (hwm or 0) / 1024.0, os.getloadavg()[0]))
	print(flush=True)

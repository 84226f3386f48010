# SPDX-License-Identifier: BSD-3-Clause
# benchkinds.py -- ctdns-bench --kinds: warm answers of a tiled log, proxied
# and mirrored, against those of an RFC 6962 log, on the same tree.
#
# One ctlog-sim with --static (and --cache-entries) serves one tree both
# ways. Three ctdnsd processes (one worker each, fresh stores, all pinned
# to the server CPU) front it in the same zone name:
#   rfc6962       the RFC 6962 API, proxied (url:)
#   tiled         the tiled API, proxied (monitoring-url:)
#   tiled-mirror  the tiled API, mirrored (monitoring-url:, mirror: yes);
#                 its sync is waited for (the log line "tree N recomputed")
# All three are warmed with the same names: every tree query of the hot
# leaves at the current size, every sth-consistency query from a set of
# first sizes to the current size, the sth, then the hot leaves' hash
# queries (after the tree queries, so that the tiled proxy has read the
# level-0 tile of every hot leaf: it can answer a hash only from tiles it
# has read). Every answer must be NOERROR with data, so the runs are all
# hits. The query file (--kinds-mix: tree, sth-consistency, hash, sth
# percentages over those names) is the same for all three.
#
# dnsperf then runs against each in turn for --rounds rounds, the order
# rotating every round; the ratios tiled/rfc6962 and tiled-mirror/rfc6962
# are taken per round, and their medians reported with the CPU time per
# query and the load average after each round. The requirement: the tiled
# kinds answer within 5 % of the RFC 6962 log.

from benchlib import *
from benchmirror import start_mirror_sim, log_line
from benchservers import zone_apex_text
from benchquota import quota_servers, usage_start, usage_end, usage_text, \
    quota_line, quota_columns, quota_cells

KINDS = ("rfc6962", "tiled", "tiled-mirror")


def kinds_conf(path, port, db, opts, zonefile, url, key, kind):
	with open(path, "w") as f:
		f.write("""# written by ctdns-bench --kinds
server:
    listen: 127.0.0.1@%d
    database: %s
    database-size: %s
    verbosity: 1
    workers: 1
log:
    name: bench
    zone: %s
    zonefile: %s
    %s: %s
    key: %s
    sth-refresh: 60
    sth-ttl: 300
    proof-ttl: 86400
    negative-ttl: 60
    upstream-concurrency: %d
    upstream-queue: %d
%s""" % (port, db, opts.database_size, ZONE, zonefile,
		    "url" if kind == "rfc6962" else "monitoring-url", url, key,
		    opts.upstream_concurrency, opts.upstream_queue,
		    "    mirror: yes\n" if kind == "tiled-mirror" else ""))


def kinds_names(n, hot, firsts, hashes):
	"""(tree names, consistency names, hash names): every name of the
	query file."""
	tree = ["%d.%d.%d.tree.%s" % (s, i, n, ZONE) for i in hot
	    for s in range(0, path_len(i, n), NODES_PER_ANSWER)]
	cons = ["%d.%d.%d.sth-consistency.%s" % (s, f, n, ZONE) for f in firsts
	    for s in range(0, len(consistency_ranges(f, n)), NODES_PER_ANSWER)]
	hsh = [hash_name(hashes[i]) for i in hot]
	return tree, cons, hsh


def kinds_lines(opts, tree, cons, hsh):
	rng = random.Random(opts.seed + 5)
	t, c, h, _ = opts.kinds_mix
	lines = []
	for _ in range(opts.query_lines):
		x = rng.random() * 100
		if x < t:
			lines.append(rng.choice(tree))
		elif x < t + c:
			lines.append(rng.choice(cons))
		elif x < t + c + h:
			lines.append(rng.choice(hsh))
		else:
			lines.append(sth_name())
	return lines


def wait_mirror(opts, tmp, name, n):
	err = os.path.join(tmp, name + ".err")
	done = r"tree %d recomputed \(\d+ new in ([\d.]+) s" % n
	deadline = time.time() + opts.mirror_timeout
	while time.time() < deadline:
		m = log_line(err, done)
		if m:
			note("kinds: %s synced %d entries in %s s" % (name, n,
			    m.group(1)))
			return
		if log_line(err, "ALARM"):
			die("%s: ALARM; see %s" % (name, err))
		time.sleep(0.2)
	die("%s: no 'tree %d recomputed' within %d s; see %s" % (name, n,
	    opts.mirror_timeout, err))


def kinds_bench(opts, procs, tmp):
	n = opts.kinds_leaves
	note("kinds: starting ctlog-sim --static with %d entries" % n)
	sim, key, url, gen = start_mirror_sim(procs, opts, tmp, "kinds", n)
	pin(procs.procs["sim-kinds"].pid, opts.client_cpu)
	note("kinds: the sim generated %d entries in %.1f s" % (n, gen))
	hashes = fetch_leaf_hashes(sim, n)
	rng = random.Random(opts.seed + 6)
	hot = rng.sample(range(n), min(n, opts.kinds_hot))
	firsts = sorted(rng.sample(range(1, n), min(n - 1,
	    opts.kinds_firsts)))
	tree, cons, hsh = kinds_names(n, hot, firsts, hashes)
	zfile = os.path.join(tmp, "kinds.zone")
	with open(zfile, "w") as f:
		f.write(zone_apex_text(opts))
	servers = []
	for kind in KINDS:
		port = free_port()
		db = os.path.join(tmp, "db-" + kind)
		os.mkdir(db)
		conf = os.path.join(tmp, "ctdnsd-%s.conf" % kind)
		kinds_conf(conf, port, db, opts, zfile, url, key, kind)
		note("kinds: starting ctdnsd %s on port %d" % (kind, port))
		p = procs.start("ctdnsd-" + kind, [opts.ctdnsd, "-c", conf,
		    "-d"], tmp, opts.server_cpu)
		servers.append((kind, port, p))
	for kind, port, p in servers:
		if kind == "tiled-mirror":
			wait_mirror(opts, tmp, "ctdnsd-" + kind, n)
		wait_sth(port, n)
	answers = {}
	for kind, port, p in servers:
		what = "kinds: " + kind
		res = fill_names(opts, port, tree + cons + [sth_name()], what)
		res += fill_names(opts, port, hsh, what + " (hash)")
		answers[kind] = [b"".join(r.strings) for r in res]
	names = tree + cons + [sth_name()] + hsh
	for kind in KINDS[1:]:
		diff = [nm for nm, a, b in zip(names, answers["rfc6962"],
		    answers[kind]) if a != b and not nm.startswith("sth.")]
		if diff:
			die("kinds: %s answers %d names unlike rfc6962; "
			    "first %s"
			    % (kind, len(diff), diff[0]))
	note("kinds: all %d answers (but the sth) alike across the three" %
	    len(names))
	qfile = os.path.join(tmp, "queries-kinds.txt")
	with open(qfile, "w") as f:
		for nm in kinds_lines(opts, tree, cons, hsh):
			f.write(nm + " TXT\n")
	quotas = {}
	for kind, port, p in servers:
		pin(p.pid, opts.server_cpu)
		quotas[kind] = quota_servers(procs, opts, kind, [p.pid])
		dnsperf(opts, port, qfile, 2, tmp, "%s-pre" % kind)
	runs = kinds_rounds(opts, servers, quotas, qfile, tmp)
	kinds_report(opts, runs, n, len(hot), len(firsts),
	    (len(tree), len(cons), len(hsh)))
	for kind, _, _ in servers:
		procs.stop("ctdnsd-" + kind)
	procs.stop("sim-kinds")


def kinds_rounds(opts, servers, quotas, qfile, tmp):
	runs = {kind: [] for kind in KINDS}
	runs["load"] = []
	for rnd in range(opts.rounds):
		k = rnd % len(servers)
		for kind, port, p in servers[k:] + servers[:k]:
			snap = usage_start(p.pid, quotas[kind])
			st = dnsperf(opts, port, qfile, opts.duration, tmp,
			    "%s-%d" % (kind, rnd))
			usage_end(opts, p.pid, quotas[kind], snap, st,
			    opts.duration)
			runs[kind].append(st)
			note("round %d %-12s %9.0f qps  lost %d  cpu/query "
			    "%.2f us  busy %.0f%%%s  %s" % (rnd + 1, kind,
			    st["qps"], st["lost"], st["cpu_us"],
			    st["busy"] * 100, usage_text(st),
			    st.get("rcodes", "")))
		runs["load"].append(os.getloadavg()[0])
		base = runs["rfc6962"][-1]["qps"]
		note("round %d ratios tiled/rfc6962 %.3f, tiled-mirror/rfc6962 "
		    "%.3f" % (rnd + 1, runs["tiled"][-1]["qps"] / base,
		    runs["tiled-mirror"][-1]["qps"] / base))
	return runs


def kinds_report(opts, runs, n, nhot, nfirsts, counts):
	print()
	print("== tiled and mirrored against RFC 6962, one tree of %d entries: "
	    "%d rounds of %d s, dnsperf -c %d -q %d%s" % (n, opts.rounds,
	    opts.duration, opts.clients, opts.outstanding,
	    " -e" if opts.edns else ""))
	print("   query mix: %d%% tree, %d%% sth-consistency, %d%% hash, %d%% "
	    "sth; %d hot leaves, %d first sizes (%d tree, %d consistency, %d "
	    "hash names); servers on CPU %s, dnsperf and the log on CPU %s" % (
	    tuple(opts.kinds_mix) + (nhot, nfirsts) + counts +
	    (opts.server_cpu, opts.client_cpu)))
	if quota_line(opts):
		print(quota_line(opts))
	print()
	fmt = "%-13s %9s %9s %9s %6s %9s %5s"
	hdr = ("server", "qps med", "qps min", "qps max", "lost",
	    "cpu us/q", "busy")
	fmt, hdr = quota_columns(opts, fmt, hdr)
	print(fmt % hdr)
	for kind in KINDS:
		r = runs[kind]
		qs = [x["qps"] for x in r]
		row = (kind, "%.0f" % median(qs), "%.0f" % min(qs),
		    "%.0f" % max(qs), sum(x["lost"] for x in r),
		    "%.2f" % median([x["cpu_us"] for x in r]),
		    "%.0f%%" % (median([x["busy"] for x in r]) * 100))
		row += quota_cells(r)
		print(fmt % row)
	print()
	base = runs["rfc6962"]
	for kind in KINDS[1:]:
		per = [a["qps"] / b["qps"] for a, b in zip(runs[kind], base)]
		cpu = [a["cpu_us"] / b["cpu_us"] for a, b in zip(runs[kind],
		    base)]
		print("ratio %s/rfc6962: median of per-round ratios %.3f, of "
		    "median qps %.3f   per round: %s" % (kind, median(per),
		    median([x["qps"] for x in runs[kind]]) /
		    median([x["qps"] for x in base]),
		    " ".join("%.3f" % x for x in per)))
		print("CPU per query %s/rfc6962: median of per-round ratios "
		    "%.3f   per round: %s" % (kind, median(cpu),
		    " ".join("%.3f" % x for x in cpu)))
	print("order: rotated each round (round 1 rfc6962, tiled, "
	    "tiled-mirror; round 2 tiled first; ...)")
	print("load average (1 min) after each round: %s" % " ".join(
	    "%.2f" % x for x in runs["load"]))
	print(flush=True)

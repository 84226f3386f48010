# SPDX-License-Identifier: BSD-3-Clause
# benchlogs.py -- the many-logs part of ctdns-bench (--logs N): one ctdnsd
# fronting N logs against one fronting a single log, on the same warm
# query mix.
#
# N ctlog-sim processes, each with its own key (--seed), so N logs with N
# log IDs; every second one is a tiled (static-ct-api) log, fronted with
# monitoring-url:, the others RFC 6962 logs (url:). Two ctdnsd processes
# (one worker each, fresh stores, both pinned to the server CPU): "single"
# fronts log 0 alone; "many" fronts all N, each log in its own zone
# (rfc00.ct.example., tiled01.ct.example., ...). Both answer the same
# number of hot leaves, N * --logs-hot: single all from log 0, many
# --logs-hot from each log. The query file of each is the warm mix (--mix:
# tree queries at the current size, hash queries, sth) over its hot
# leaves, spread evenly over its logs; hash queries go to the RFC 6962 logs
# only (a tiled log finds a leaf by its hash only when it mirrors the log).
# Every name of both query files is asked once first (the fills), and
# every answer must be NOERROR with data, so the runs are all hits.
#
# Then dnsperf runs against each in turn for --rounds rounds, the order
# alternating (single, many; many, single; ...), and the ratio many/single
# is taken per round; the report gives the medians, the CPU time per query
# and the load average after each round. The requirement: many answers
# within 5 % of single. When the servers are not saturated (dnsperf or
# the machine sets the rate), qps says little and the CPU time per query
# depends on the rate itself (more queries per recvmmsg batch at a higher
# rate); --logs-qps R runs every round at the same offered rate, so the
# CPU per query of both servers is compared at equal load.
# --server-cpu-quota P instead makes each server the bottleneck: each runs
# in a cgroup with P % of a CPU (benchquota.py), so both saturate at the
# same share of a core and their qps compare. --perf adds perf's top
# symbols of each server under one more dnsperf run.

from benchlib import *
from benchservers import *
from benchquota import *


def logs_zone(i):
	return "%s%02d.ct.example." % ("tiled" if i % 2 else "rfc", i)


def start_sims(procs, opts, tmp, n, entries0):
	"""Start n ctlog-sim at once (log 0 with entries0 entries, the others
	with --logs-leaves), each with its own seed; wait for all. Returns a
	list of (Sim, key, tiled)."""
	names = []
	for i in range(n):
		name = "sim-log%02d" % i
		argv = [opts.sim, "-p", "0", "-n", str(entries0 if i == 0
		    else opts.logs_leaves), "--seed", "bench-log-%d" % i,
		    "--ready-file", os.path.join(tmp, name + ".port")]
		if i % 2:
			argv.append("--static")
		procs.start(name, argv, tmp, opts.client_cpu)
		names.append(name)
	out = []
	deadline = time.time() + 600
	for name in names:
		port = key = None
		while time.time() < deadline and key is None:
			if procs.procs[name].poll() is not None:
				die("%s exited; see %s/%s.err" % (name, tmp,
				    name))
			try:
				with open(os.path.join(tmp, name +
				    ".port")) as f:
					port = int(f.read().strip() or 0)
				with open(os.path.join(tmp, name +
				    ".out")) as f:
					m = re.search(r"^key: (\S+)", f.read(),
					    re.M)
				if port and m:
					key = m.group(1)
					break
			except (OSError, ValueError):
				pass
			time.sleep(0.1)
		if key is None:
			die("%s did not start" % name)
		out.append((Sim(port), key, len(out) % 2 == 1))
	return out


def logs_conf(path, port, db, zonefiles, sims, opts):
	"""A ctdnsd configuration for the logs sims[i] in zones logs_zone(i)."""
	with open(path, "w") as f:
		f.write("""# written by ctdns-bench --logs
server:
    listen: 127.0.0.1@%d
    database: %s
    database-size: %s
    verbosity: 1
    workers: 1
""" % (port, db, opts.database_size))
		for i, (sim, key, tiled) in enumerate(sims):
			f.write("""log:
    name: log%02d
    zone: %s
    zonefile: %s
    %s: http://127.0.0.1:%d/
    key: %s
    sth-refresh: 60
    sth-ttl: 300
    proof-ttl: 86400
    negative-ttl: 60
    upstream-concurrency: %d
    upstream-queue: %d
""" % (i, logs_zone(i), zonefiles[i], "monitoring-url" if tiled else
			    "url", sim.port, key, opts.upstream_concurrency,
			    opts.upstream_queue))


def wait_answers(port, names, secs=120):
	"""Wait until ctdnsd answers each name NOERROR (its logs' STHs are
	verified); dies otherwise."""
	deadline = time.time() + secs
	while time.time() < deadline:
		try:
			res = run_queries(port, names, 16, timeout=1,
			    retries=0)
		except ConnectionRefusedError:
			res = []	# not listening yet
		if res and all(r.rcode == 0 and r.strings for r in res):
			return
		time.sleep(0.3)
	die("ctdnsd on port %d: not every log serves an STH after %d s" % (
	    port, secs))


def hot_names(opts, rng, logs, hot, sizes, hashes):
	"""The query file's lines and the distinct names: logs is the list
	of (log index, tiled); hot[i] the hot leaves of log i; the mix over
	them, each query's log taken in turn."""
	tree, hsh = opts.mix[0], opts.mix[1]
	rfc = [x for x in logs if not x[1]]
	lines = []
	for k in range(opts.query_lines):
		x = rng.random() * 100
		if x < tree:
			i, _ = logs[k % len(logs)]
			leaf = rng.choice(hot[i])
			n = sizes[i]
			s = rng.randrange(0, path_len(leaf, n),
			    NODES_PER_ANSWER)
			lines.append("%d.%d.%d.tree.%s" % (s, leaf, n,
			    logs_zone(i)))
		elif x < tree + hsh:
			i, _ = rfc[k % len(rfc)]
			leaf = rng.choice(hot[i])
			lines.append("%s.hash.%s" % (b32name(hashes[i][leaf]),
			    logs_zone(i)))
		else:
			i, _ = logs[k % len(logs)]
			lines.append("sth." + logs_zone(i))
	return lines


def every_name(logs, hot, sizes, hashes):
	"""Every name the query files may hold for these logs: the fills."""
	out = []
	for i, tiled in logs:
		n = sizes[i]
		for leaf in hot[i]:
			if not tiled:
				out.append("%s.hash.%s" % (
				    b32name(hashes[i][leaf]), logs_zone(i)))
			for s in range(0, path_len(leaf, n), NODES_PER_ANSWER):
				out.append("%d.%d.%d.tree.%s" % (s, leaf, n,
				    logs_zone(i)))
		out.append("sth." + logs_zone(i))
	return out


def logs_bench(opts, procs, tmp):
	n = opts.logs
	hot_per = opts.logs_hot
	entries0 = max(opts.logs_leaves, n * hot_per)
	if hot_per > opts.logs_leaves:
		die("--logs-hot must not exceed --logs-leaves")
	note("logs: starting %d ctlog-sim (log 0: %d entries, the others %d; "
	    "every second one tiled)" % (n, entries0, opts.logs_leaves))
	sims = start_sims(procs, opts, tmp, n, entries0)
	sizes = [entries0] + [opts.logs_leaves] * (n - 1)
	rng = random.Random(opts.seed + 3)
	hashes = {}
	for i, (sim, _, tiled) in enumerate(sims):
		if not tiled:
			hashes[i] = fetch_leaf_hashes(sim, sizes[i])
	# Hot leaves: n * hot_per of log 0 for single; hot_per of each for
	# many (log 0's are the first hot_per of single's).
	hot0 = rng.sample(range(entries0), n * hot_per)
	hot_many = {i: rng.sample(range(sizes[i]), hot_per) for i in
	    range(1, n)}
	hot_many[0] = hot0[:hot_per]

	zfiles = []
	for i in range(n):
		z = os.path.join(tmp, "log%02d.zone" % i)
		with open(z, "w") as f:
			f.write(zone_apex_text(opts).replace(ZONE,
			    logs_zone(i)))
		zfiles.append(z)
	servers = []
	for name, count in (("single", 1), ("many", n)):
		port = free_port()
		db = os.path.join(tmp, "db-" + name)
		os.mkdir(db)
		conf = os.path.join(tmp, "ctdnsd-%s.conf" % name)
		logs_conf(conf, port, db, zfiles[:count], sims[:count], opts)
		note("logs: starting ctdnsd %s (%d log(s)) on port %d" % (
		    name, count, port))
		p = procs.start("ctdnsd-" + name, [opts.ctdnsd, "-c", conf,
		    "-d"], tmp, opts.server_cpu)
		wait_answers(port, ["sth." + logs_zone(i) for i in
		    range(count)])
		servers.append((name, port, p, count))

	qfiles = {}
	for name, port, p, count in servers:
		logs = [(i, i % 2 == 1) for i in range(count)]
		hot = {0: hot0} if count == 1 else hot_many
		fill_names(opts, port, every_name(logs, hot, sizes, hashes),
		    "logs: " + name)
		lines = hot_names(opts, random.Random(opts.seed + 4), logs,
		    hot, sizes, hashes)
		qfiles[name] = os.path.join(tmp, "queries-%s.txt" % name)
		with open(qfiles[name], "w") as f:
			for nm in lines:
				f.write(nm + " TXT\n")
	quotas = {}
	for name, port, p, count in servers:
		pin(p.pid, opts.server_cpu)
		quotas[name] = quota_servers(procs, opts, name, [p.pid])
		dnsperf(opts, port, qfiles[name], 2, tmp, "%s-pre" % name)
	runs = logs_rounds(opts, servers, quotas, qfiles, tmp)
	logs_report(opts, runs, n, hot_per)
	if opts.perf:
		for name, port, p, _ in servers:
			print("== perf record -e cpu-clock, ctdnsd %s under "
			    "dnsperf load, %d s (top symbols, self time)" % (
			    name, opts.duration))
			print(perf_profile(opts, p.pid, port, qfiles[name], tmp,
			    name), flush=True)
	for name, _, _, _ in servers:
		procs.stop("ctdnsd-" + name)
	for i in range(n):
		procs.stop("sim-log%02d" % i)


def logs_rounds(opts, servers, quotas, qfiles, tmp):
	runs = {"single": [], "many": [], "load": []}
	for rnd in range(opts.rounds):
		order = servers if rnd % 2 == 0 else servers[::-1]
		for name, port, p, _ in order:
			snap = usage_start(p.pid, quotas[name])
			st = dnsperf(opts, port, qfiles[name], opts.duration,
			    tmp, "%s-%d" % (name, rnd), rate=opts.logs_qps)
			usage_end(opts, p.pid, quotas[name], snap, st,
			    opts.duration)
			runs[name].append(st)
			note("round %d %-6s %9.0f qps  lost %d  cpu/query "
			    "%.2f us (usr %.2f)  busy %.0f%%%s  %s" % (rnd + 1,
			    name, st["qps"], st["lost"], st["cpu_us"],
			    st["usr_us"], st["busy"] * 100, usage_text(st),
			    st.get("rcodes", "")))
		runs["load"].append(os.getloadavg()[0])
		note("round %d ratio many/single %.3f" % (rnd + 1,
		    runs["many"][-1]["qps"] / runs["single"][-1]["qps"]))
	return runs


def logs_report(opts, runs, n, hot_per):
	print()
	print("== %d logs against one: %d rounds of %d s, dnsperf -c %d -q %d%s%s"
	    % (n, opts.rounds, opts.duration, opts.clients, opts.outstanding,
	    " -e" if opts.edns else "", " -Q %d (a fixed rate)" %
	    opts.logs_qps if opts.logs_qps else ""))
	print("   query mix: %d%% tree, %d%% hash, %d%% sth over %d hot "
	    "leaves (many: %d per log); servers on CPU %s, dnsperf and the "
	    "logs on CPU %s" % (opts.mix[0], opts.mix[1], opts.mix[2],
	    n * hot_per, hot_per, opts.server_cpu, opts.client_cpu))
	if quota_line(opts):
		print(quota_line(opts))
	print()
	fmt = "%-7s %9s %9s %9s %6s %9s %9s %5s"
	hdr = ("server", "qps med", "qps min", "qps max", "lost",
	    "cpu us/q", "usr us/q", "busy")
	fmt, hdr = quota_columns(opts, fmt, hdr)
	print(fmt % hdr)
	for name in ("single", "many"):
		r = runs[name]
		qs = [x["qps"] for x in r]
		row = (name, "%.0f" % median(qs), "%.0f" % min(qs),
		    "%.0f" % max(qs), sum(x["lost"] for x in r),
		    "%.2f" % median([x["cpu_us"] for x in r]),
		    "%.2f" % median([x["usr_us"] for x in r]),
		    "%.0f%%" % (median([x["busy"] for x in r]) * 100))
		row += quota_cells(r)
		print(fmt % row)
	per = [a["qps"] / b["qps"] for a, b in zip(runs["many"],
	    runs["single"])]
	cpu = [a["cpu_us"] / b["cpu_us"] for a, b in zip(runs["many"],
	    runs["single"])]
	print()
	print("ratio many/single: median of per-round ratios %.3f, of median "
	    "qps %.3f   per round: %s" % (median(per),
	    median([x["qps"] for x in runs["many"]]) /
	    median([x["qps"] for x in runs["single"]]),
	    " ".join("%.3f" % x for x in per)))
	if quota_line(opts):
		sat = [x for x, a, b in zip(per, runs["many"], runs["single"])
		    if min(a["qbusy"], b["qbusy"]) >= SATURATED]
		print("rounds with both servers at least %.0f%% of their quota "
		    "busy: %d of %d%s" % (SATURATED * 100, len(sat), len(per),
		    "; median of their ratios %.3f: %s" % (median(sat),
		    " ".join("%.3f" % x for x in sat)) if sat else ""))
	usr = [a["usr_us"] / b["usr_us"] for a, b in zip(runs["many"],
	    runs["single"])]
	print("CPU per query many/single: median of per-round ratios %.3f   "
	    "per round: %s" % (median(cpu), " ".join("%.3f" % x for x in cpu)))
	print("user CPU per query many/single: median of per-round ratios "
	    "%.3f   per round: %s" % (median(usr), " ".join("%.3f" % x for x
	    in usr)))
	print("order: single first in odd rounds, many first in even rounds")
	print("load average (1 min) after each round: %s" % " ".join(
	    "%.2f" % x for x in runs["load"]))
	print(flush=True)

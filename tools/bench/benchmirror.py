# SPDX-License-Identifier: BSD-3-Clause
# benchmirror.py -- ctdns-bench --mirror: how fast ctdnsd's mirror mode
# syncs a whole log into a fresh store, and how big the store gets.
#
# Three cases, each against a local ctlog-sim of N entries:
#   rfc6962        an RFC 6962 log, get-entries pages (`mirror: yes`)
#   tiled-entries  a tiled log (--static), level-0 and data tiles
#                  (`mirror: yes`, `mirror-entries: yes`)
#   tiled          a tiled log, level-0 tiles alone (`mirror: yes`)
# One sim per case (generating a large log takes a while: timed and
# printed), by default with --cache-entries, so that serving an entry
# costs a copy and not a certificate signed anew (--mirror-sim-nocache:
# the sim as the tests use it, which then bounds both entry cases); each run starts ctdnsd on a fresh store and times it from start
# to the log line "tree N recomputed". The daemon's own rate (from its
# first head to the last batch) is read from that line too. The CPU time
# the daemon (per thread: the loop parses and hashes, ctdnsd-store writes
# LMDB) and the sim took (from /proc) says which side was the bound;
# --mirror-baseline OTHER_CTDNSD alternates runs of another build against
# the same sim, for before/after figures; --mirror-sim OTHER_SIM runs
# another build's ctlog-sim (a faster sim speeds both builds);
# --mirror-perf adds perf's top symbols for one run of each case.
# Store size: mdb_stat's pages used times the page size, per leaf, with
# the tile, leaf index and range tables apart, the free list (pages of
# older snapshots, reused by later writes), and data.mdb's size per leaf.

import glob

from benchlib import *

MIRROR_CASES = ("rfc6962", "tiled-entries", "tiled")


def mirror_conf(path, port, db, opts, sim_url, key, case):
	url_key = "url" if case == "rfc6962" else "monitoring-url"
	extra = "    mirror-entries: yes\n" if case == "tiled-entries" else ""
	with open(path, "w") as f:
		f.write("""# written by ctdns-bench --mirror
server:
    listen: 127.0.0.1@%d
    database: %s
    database-size: %s
    verbosity: 2
log:
    name: bench
    zone: demo.ct.example.
    zonefile: %s
    %s: %s
    key: %s
    sth-refresh: 3600
    mirror: yes
%s""" % (port, db, opts.mirror_database_size,
		    os.path.join(opts.srcdir, "zones", "demo.ct.example.zone"),
		    url_key, sim_url, key, extra))


def start_mirror_sim(procs, opts, tmp, case, n):
	"""A sim of n entries for the case; (Sim, key, url, seconds to
	generate)."""
	name = "sim-" + case
	ready = os.path.join(tmp, name + ".port")
	argv = [opts.mirror_sim, "-p", "0", "-n", str(n), "--ready-file",
	    ready]
	if case != "rfc6962":
		argv.append("--static")
	if opts.mirror_sim_cache:
		argv.append("--cache-entries")
	t0 = time.time()
	procs.start(name, argv, tmp)
	deadline = t0 + 3600
	port = 0
	while time.time() < deadline and not port:
		if procs.procs[name].poll() is not None:
			die("%s exited; see %s/%s.err" % (name, tmp, name))
		try:
			with open(ready) as f:
				port = int(f.read().strip() or 0)
		except (OSError, ValueError):
			time.sleep(0.2)
	if not port:
		die("%s did not start" % name)
	gen = time.time() - t0
	with open(os.path.join(tmp, name + ".out")) as f:
		m = re.search(r"^key: (\S+)", f.read(), re.M)
	if not m:
		die("%s printed no key" % name)
	return Sim(port), m.group(1), "http://127.0.0.1:%d/" % port, gen


def log_line(path, pattern):
	try:
		with open(path, errors="replace") as f:
			return re.search(pattern, f.read(), re.M)
	except OSError:
		return None


def mdb_sizes(db):
	"""(pages used * page size, page size, {table kind: (pages,
	entries)}, free pages)."""
	r = subprocess.run(["mdb_stat", "-ef", db], capture_output=True,
	    text=True)
	page = int(re.search(r"Page size: (\d+)", r.stdout).group(1))
	used = int(re.search(r"Number of pages used: (\d+)", r.stdout).group(1))
	m = re.search(r"Free pages: (\d+)", r.stdout)
	free = int(m.group(1)) if m else 0
	r = subprocess.run(["mdb_stat", "-a", db], capture_output=True,
	    text=True)
	tables = {}
	for m in re.finditer(r'Status of (\S+)\n(.*?)(?=Status of|\Z)',
	    r.stdout, re.S):
		body = m.group(2)
		pages = sum(int(x) for x in re.findall(
		    r"(?:Branch|Leaf|Overflow) pages: (\d+)", body))
		entries = int(re.search(r"Entries: (\d+)", body).group(1))
		kind = m.group(1)[0] if len(m.group(1)) > 8 else m.group(1)
		p, e = tables.get(kind, (0, 0))
		tables[kind] = (p + pages, e + entries)
	return used * page, page, tables, free


def thread_ticks(pid):
	"""{thread name: user + system clock ticks} of pid's threads."""
	out = {}
	try:
		tids = os.listdir("/proc/%d/task" % pid)
	except OSError:
		return out
	for tid in tids:
		try:
			with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
				stat = f.read()
		except OSError:
			continue
		name = stat[stat.index("(") + 1:stat.rindex(")")]
		fields = stat.rsplit(")", 1)[1].split()
		out[name] = out.get(name, 0) + int(fields[11]) + int(fields[12])
	return out


def mirror_run(opts, procs, tmp, case, tag, sim, sim_name, url, key, n, k,
    profile, ctdnsd):
	name = "ctdnsd-%s%s-%d" % (case, tag, k)
	db = os.path.join(tmp, name + ".db")
	os.mkdir(db)
	conf = os.path.join(tmp, name + ".conf")
	mirror_conf(conf, free_port(), db, opts, url, key, case)
	sim_pid = procs.procs[sim_name].pid
	sim0 = sum(cpu_ticks(sim_pid))
	t0 = time.time()
	p = procs.start(name, [ctdnsd, "-c", conf, "-d"], tmp)
	err = os.path.join(tmp, name + ".err")
	perf = None
	if profile:
		data = os.path.join(tmp, "perf-%s%s.data" % (case, tag))
		perf = subprocess.Popen(["perf", "record", "-q", "-e",
		    "cpu-clock", "-F", "1000", "-p", "%d,%d" % (p.pid, sim_pid),
		    "-o", data], stdout=subprocess.DEVNULL,
		    stderr=subprocess.DEVNULL)
	done = r"tree %d recomputed \(\d+ new in ([\d.]+) s, (\d+) entries/s" % n
	m = None
	deadline = t0 + opts.mirror_timeout
	while time.time() < deadline:
		m = log_line(err, done)
		if m or p.poll() is not None:
			break
		time.sleep(0.05)
	wall = time.time() - t0
	ticks = sum(cpu_ticks(p.pid)) if p.poll() is None else 0
	threads = thread_ticks(p.pid)
	sim_ticks = sum(cpu_ticks(sim_pid)) - sim0
	if perf is not None:
		perf.send_signal(signal.SIGINT)
		perf.wait()
	procs.stop(name)
	if not m:
		die("%s: no 'tree %d recomputed' in %.0f s; see %s" % (
		    name, n, wall, err))
	if log_line(err, "ALARM"):
		die("%s: ALARM in %s" % (name, err))
	hz = os.sysconf("SC_CLK_TCK")
	used, page, tables, free = mdb_sizes(db)
	size = sum(os.path.getsize(f) for f in glob.glob(
	    os.path.join(db, "*.mdb")))
	res = {"wall": wall, "daemon_s": float(m.group(1)),
	    "daemon_rate": int(m.group(2)), "rate": n / wall,
	    "cpu": ticks / hz, "sim_cpu": sim_ticks / hz,
	    "threads": {t: v / hz for t, v in threads.items() if v > 0},
	    "used": used, "file": size, "page": page, "tables": tables,
	    "free": free * page}
	if profile:
		res["perf"] = perf_top(data, opts.perf_limit)
	return res


def perf_top(data, limit):
	r = subprocess.run(["perf", "report", "-i", data, "--stdio",
	    "--no-children", "--sort", "comm,dso,symbol", "--percent-limit",
	    str(limit)], capture_output=True, text=True)
	return "\n".join(re.sub(r"[\s-]+$", "", line) for line in
	    r.stdout.splitlines() if line.strip() and not line.startswith("#"))


def mirror(opts, procs, tmp):
	n = opts.mirror_leaves
	load0 = os.getloadavg()[0]
	rows = []
	for case in opts.mirror_cases:
		note("mirror %s: starting ctlog-sim with %d entries" % (case, n))
		sim, key, url, gen = start_mirror_sim(procs, opts, tmp, case, n)
		note("mirror %s: the sim generated %d entries in %.1f s" % (
		    case, n, gen))
		variants = [("", opts.ctdnsd)]
		if opts.mirror_baseline:
			variants.insert(0, (" (base)", opts.mirror_baseline))
		runs = {label: [] for label, _ in variants}
		for k in range(opts.mirror_runs):
			for label, binary in variants:
				profile = opts.perf and k == 0
				r = mirror_run(opts, procs, tmp, case, label.strip(" ()"),
				    sim, "sim-" + case, url, key, n, k, profile, binary)
				r["load"] = os.getloadavg()[0]
				note_run(case + label, k, n, r)
				runs[label].append(r)
		procs.stop("sim-" + case)
		for label, _ in variants:
			rows.append((case + label, gen, runs[label]))
	report_mirror(n, rows, load0, opts.mirror_sim)


def note_run(case, k, n, r):
	note("mirror %s run %d: %.0f entries/s (%.1f s from start; daemon "
	    "says %d/s), CPU s: ctdnsd %.1f (%s), sim %.1f; store %.1f B/leaf "
	    "(used); load %.2f" % (case, k + 1, r["rate"], r["wall"],
	    r["daemon_rate"], r["cpu"], ", ".join("%s %.1f" % (t, v) for t, v
	    in sorted(r["threads"].items(), key=lambda x: -x[1])),
	    r["sim_cpu"], r["used"] / n, r["load"]))
	if "perf" in r:
		print("perf (ctdnsd and ctlog-sim, cpu-clock), %s:\n%s\n" % (
		    case, r["perf"]), flush=True)


def report_mirror(n, rows, load0, sim):
	print()
	print("== mirror sync, %d entries, fresh store, median of %d runs "
	    "(load %.2f at start) ==" % (n, len(rows[0][2]), load0))
	print("sim: %s" % sim)
	print("%-21s %9s %10s %10s %8s %8s %9s %9s %9s %9s %8s %9s" % (
	    "case", "sim gen s", "entries/s", "daemon/s", "ctdnsd s",
	    "sim cpu", "B/leaf", "file/leaf", "tile/leaf", "idx/leaf",
	    "rng/leaf", "free/leaf"))
	for case, gen, runs in rows:
		r = runs[sorted(range(len(runs)),
		    key=lambda i: runs[i]["rate"])[len(runs) // 2]]
		med = lambda key: median([x[key] for x in runs])
		t = r["tables"]
		idx = t.get("l", (0, 0))[0] * r["page"] / n
		rng = t.get("r", (0, 0))[0] * r["page"] / n
		tile = t.get("t", (0, 0))[0] * r["page"] / n
		print("%-21s %9.1f %10.0f %10.0f %8.1f %8.1f %9.1f %9.1f %9.1f "
		    "%9.1f %8.1f %9.1f" % (case, gen, med("rate"),
		    med("daemon_rate"), med("cpu"), med("sim_cpu"),
		    med("used") / n, med("file") / n, tile, idx, rng,
		    r["free"] / n))
		print("   runs: %s entries/s; tables (pages, entries): %s" % (
		    " ".join("%.0f" % x["rate"] for x in runs),
		    " ".join("%s=%d,%d" % (k, v[0], v[1])
		    for k, v in sorted(t.items()))))
		names = sorted({t for x in runs for t in x["threads"]})
		print("   CPU us/entry (median): %s; ctlog-sim %.1f" % (", ".join(
		    "%s %.1f" % (t, median([x["threads"].get(t, 0) for x in runs])
		    * 1e6 / n) for t in names), med("sim_cpu") * 1e6 / n))
	print("load average (1 min) after each run: %s" % " ".join(
	    "%.2f" % x["load"] for _, _, runs in rows for x in runs))
	print(flush=True)

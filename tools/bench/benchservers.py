# SPDX-License-Identifier: BSD-3-Clause
# benchservers.py -- the servers ctdns-bench compares: configuration files,
# start-up (each waits until the server answers the zone's sth) and the
# zone text they share.

from benchlib import *

# ---- ctdnsd and NSD ------------------------------------------------------

def ctdnsd_conf(path, port, db, zonefile, sim_port, key, opts, refresh):
	with open(path, "w") as f:
		f.write("""# written by ctdns-bench
server:
    listen: 127.0.0.1@%d
    database: %s
    database-size: %s
    verbosity: 1
    workers: %d
log:
    name: bench
    zone: %s
    zonefile: %s
    url: http://127.0.0.1:%d/
    key: %s
    sth-refresh: %d
    sth-ttl: 300
    proof-ttl: 86400
    negative-ttl: 60
    upstream-concurrency: %d
    upstream-queue: %d
""" % (port, db, opts.database_size, opts.workers, ZONE, zonefile,
		    sim_port, key, refresh, opts.upstream_concurrency,
		    opts.upstream_queue))


def start_ctdnsd(procs, opts, tmp, name, conf, port, cpu):
	p = procs.start(name, [opts.ctdnsd, "-c", conf, "-d"], tmp, cpu)
	deadline = time.time() + 30
	while time.time() < deadline:
		if p.poll() is not None:
			die("%s exited; see %s/%s.err" % (name, tmp, name))
		r = run_queries(port, [sth_name()], 1, timeout=0.5, retries=0)
		if r[0].rcode == 0 and r[0].strings:
			return p
		time.sleep(0.2)
	die("%s served no STH; see %s/%s.err" % (name, tmp, name))


def zone_apex_text(opts):
	"""The bench zone's apex records: the demo zone file, renamed."""
	with open(os.path.join(opts.srcdir, "zones",
	    "demo.ct.example.zone")) as f:
		text = f.read()
	return text.replace("demo.ct.example.", ZONE)


def txt_rdata_text(strings):
	out = []
	for s in strings:
		t = ['"']
		for b in s:
			if 0x20 < b < 0x7f and b not in (0x22, 0x5c, 0x3b):
				t.append(chr(b))
			else:
				t.append("\\%03d" % b)
		t.append('"')
		out.append("".join(t))
	return " ".join(out)


def nsd_conf(path, tmp, port, zonefile):
	with open(path, "w") as f:
		f.write("""# written by ctdns-bench: one server process, no RRL,
# no authority section on positive answers (ctdnsd sends none either).
server:
    server-count: 1
    ip-address: 127.0.0.1@%d
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "%s"
    database: ""
    zonelistfile: "%s/zone.list"
    xfrdfile: "%s/xfrd.state"
    xfrdir: "%s"
    pidfile: "%s/nsd.pid"
    logfile: "%s/nsd.log"
    verbosity: 1
    hide-version: yes
    minimal-responses: yes
    round-robin: no
    reuseport: no
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
    zonefiles-check: no
remote-control:
    control-enable: no
zone:
    name: %s
    zonefile: "%s"
""" % (port, tmp, tmp, tmp, tmp, tmp, tmp, ZONE, zonefile))


def start_nsd(procs, opts, tmp, conf, port):
	chk = subprocess.run([opts.nsd_checkconf, conf], capture_output=True,
	    text=True)
	if chk.returncode != 0:
		die("nsd-checkconf: " + chk.stdout + chk.stderr)
	p = procs.start("nsd", [opts.nsd, "-d", "-c", conf], tmp)
	deadline = time.time() + 600
	while time.time() < deadline:
		if p.poll() is not None:
			die("nsd exited; see %s/nsd.err, nsd.log" % tmp)
		r = run_queries(port, [sth_name()], 1, timeout=1, retries=0)
		if r[0].rcode == 0 and r[0].strings:
			return p
		time.sleep(0.5)
	die("nsd did not serve the zone; see %s/nsd.log" % tmp)


def nsd_server_pid(first_pid):
	"""The serving process of nsd -d, "nsd: server 1" in its comm (the
	process started becomes xfrd, its child the main process, and that
	one's child serves); and every nsd process."""
	pids = [first_pid] + descendants(first_pid)
	for p in pids:
		try:
			with open("/proc/%d/comm" % p, "rb") as f:
				if f.read().startswith(b"nsd: server"):
					return p, pids
		except OSError:
			pass
	die("no nsd server process among %s" % pids)


def knot_conf(path, tmp, port, zonefile):
	"""Knot DNS with one UDP, one TCP and one background worker; no
	journal, no zone file flush, no semantic checks (the zone is the
	one NSD loads); its run and storage directories in tmp."""
	kdir = os.path.join(tmp, "knot")
	os.makedirs(kdir, exist_ok=True)
	with open(path, "w") as f:
		f.write("""# written by ctdns-bench: one UDP worker, no RRL module,
# Knot's default minimal responses (no authority section on answers).
server:
    rundir: "%s"
    listen: 127.0.0.1@%d
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
log:
  - target: "%s/knot.log"
    any: info
database:
    storage: "%s"
template:
  - id: default
    storage: "%s"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
  - domain: %s
    file: "%s"
""" % (kdir, port, tmp, kdir, kdir, ZONE, zonefile))


def start_knot(procs, opts, tmp, conf, port):
	chk = subprocess.run([opts.knotc, "-c", conf, "conf-check"],
	    capture_output=True, text=True)
	if chk.returncode != 0:
		die("knotc conf-check: " + chk.stdout + chk.stderr)
	p = procs.start("knot", [opts.knotd, "-c", conf], tmp)
	deadline = time.time() + 600
	while time.time() < deadline:
		if p.poll() is not None:
			die("knotd exited; see %s/knot.err, knot.log" % tmp)
		r = run_queries(port, [sth_name()], 1, timeout=1, retries=0)
		if r[0].rcode == 0 and r[0].strings:
			return p
		time.sleep(0.5)
	die("knotd did not serve the zone; see %s/knot.log" % tmp)


def pinned_to(pid, cpu):
	"""Whether every thread of pid may run on cpu only."""
	try:
		tids = os.listdir("/proc/%d/task" % pid)
	except OSError:
		return False
	for tid in tids:
		with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
			if not re.search(r"^Cpus_allowed_list:\s*%s$" % (cpu,),
			    f.read(), re.M):
				return False
	return True

# SPDX-License-Identifier: BSD-3-Clause
# benchquota.py -- --server-cpu-quota PERCENT: each server of a saturation
# part (warm: ctdnsd, NSD, Knot; --logs; --kinds) runs in a cgroup of its
# own whose CPU bandwidth is PERCENT of one CPU, so that the server, not
# dnsperf, sets the rate: on a 2-CPU machine dnsperf on one CPU cannot
# offer what a server owning the other answers, and the qps of two
# servers that both wait for dnsperf say nothing about them.
#
# cgroup v2 (/sys/fs/cgroup/cgroup.controllers offering cpu): cpu.max
# "QUOTA PERIOD"; cgroup v1 (the cpu controller mounted at
# /sys/fs/cgroup/cpu): cpu.cfs_period_us and cpu.cfs_quota_us. Either way
# the server's pid goes into cgroup.procs, which moves every thread of
# the process (v1 too: cgroup.procs moves a thread group, tasks a thread);
# threads and children started later inherit the cgroup. Membership is
# checked per thread (/proc/PID/task/TID/cgroup). The cgroups are named
# ctdns-bench-OURPID-SERVER, removed when the bench ends (Procs.stop_all):
# what is left in one is moved back to the root cgroup first.
#
# The figures: the server's CPU time over the run's wall time (busy) is
# also given relative to the quota (100 %: all of it used), and cpu.stat's
# throttled periods over all periods of the run (near 100 %: the server
# wanted more CPU in nearly every period). Both near 100 % mean the server
# was saturated at its quota; its qps is then what PERCENT of a CPU
# answers, whatever else runs on the machine (as long as the server's CPU
# has PERCENT to spare).

from benchlib import *

SATURATED = 0.95	# qbusy from which a run counts as saturated
V2_ROOT = "/sys/fs/cgroup"
V1_ROOT = "/sys/fs/cgroup/cpu"


def _write(path, text):
	with open(path, "w") as f:
		f.write(text)


def _read(path):
	with open(path) as f:
		return f.read()


def cgroup_probe():
	"""Where CPU quotas can be set: ("v2", root) or ("v1", root). Dies
	with the reason when neither hierarchy offers a writable cpu
	controller."""
	why = []
	ctl = os.path.join(V2_ROOT, "cgroup.controllers")
	if os.path.exists(ctl):
		if "cpu" not in _read(ctl).split():
			why.append("cgroup v2 at %s offers no cpu controller" %
			    V2_ROOT)
		elif not os.access(V2_ROOT, os.W_OK):
			why.append("%s is not writable (run as root)" %
			    V2_ROOT)
		else:
			return "v2", V2_ROOT
	elif os.path.exists(os.path.join(V1_ROOT, "cpu.cfs_quota_us")):
		if os.access(V1_ROOT, os.W_OK):
			return "v1", V1_ROOT
		why.append("%s is not writable (run as root)" % V1_ROOT)
	else:
		why.append("neither cgroup v2 (%s) nor cgroup v1's cpu "
		    "controller (%s/cpu.cfs_quota_us)" % (ctl, V1_ROOT))
	die("--server-cpu-quota: no CPU quota possible: " + "; ".join(why))


class Quota:
	"""One cgroup with opts.server_cpu_quota percent of one CPU."""

	def __init__(self, opts, name):
		self.kind, self.root = cgroup_probe()
		self.name = "ctdns-bench-%d-%s" % (os.getpid(), name)
		self.path = os.path.join(self.root, self.name)
		self.pct = opts.server_cpu_quota
		self.period = opts.server_cpu_period

	def create(self):
		"""Make the cgroup and set its quota; dies on failure."""
		quota = int(self.period * self.pct / 100)
		try:
			if self.kind == "v2":
				sub = os.path.join(self.root,
				    "cgroup.subtree_control")
				if "cpu" not in _read(sub).split():
					_write(sub, "+cpu")
			os.mkdir(self.path)
			if self.kind == "v2":
				_write(os.path.join(self.path, "cpu.max"),
				    "%d %d" % (quota, self.period))
			else:
				_write(os.path.join(self.path,
				    "cpu.cfs_period_us"), str(self.period))
				_write(os.path.join(self.path,
				    "cpu.cfs_quota_us"), str(quota))
		except OSError as e:
			die("--server-cpu-quota: cgroup %s %s: %s" % (
			    self.kind, self.path, e))
		note("quota: cgroup %s %s, %d us of every %d us (%g %% of a "
		    "CPU)" % (self.kind, self.path, quota, self.period,
		    self.pct))

	def add(self, pid):
		"""Move process pid, every thread of it, into the cgroup;
		dies unless each thread is then in it."""
		try:
			_write(os.path.join(self.path, "cgroup.procs"), str(pid))
		except OSError as e:
			die("--server-cpu-quota: pid %d into %s: %s" % (pid,
			    self.path, e))
		for tid in os.listdir("/proc/%d/task" % pid):
			if not self.holds("/proc/%d/task/%s/cgroup" % (pid,
			    tid)):
				die("--server-cpu-quota: thread %s of pid %d "
				    "is not in %s" % (tid, pid, self.path))

	def holds(self, cgfile):
		"""Whether a /proc .../cgroup file places its task here."""
		for line in _read(cgfile).splitlines():
			hier, ctls, path = line.split(":", 2)
			if self.kind == "v2" and hier == "0" or \
			    self.kind == "v1" and "cpu" in ctls.split(","):
				return path.endswith("/" + self.name)
		return False

	def stat(self):
		"""cpu.stat's periods and throttled periods so far."""
		st = {}
		for line in _read(os.path.join(self.path,
		    "cpu.stat")).splitlines():
			k, v = line.split()
			st[k] = int(v)
		return st["nr_periods"], st["nr_throttled"]

	def remove(self):
		"""Move what is left back to the root cgroup; remove the
		cgroup. Never dies (it runs while the bench ends)."""
		if not os.path.isdir(self.path):
			return
		for _ in range(50):
			try:
				pids = _read(os.path.join(self.path,
				    "cgroup.procs")).split()
				for pid in pids:
					_write(os.path.join(self.root,
					    "cgroup.procs"), pid)
				os.rmdir(self.path)
				return
			except OSError:
				time.sleep(0.1)	# a process still exiting
		note("quota: could not remove %s" % self.path)


def quota_servers(procs, opts, name, pids):
	"""With --server-cpu-quota, a Quota holding every pid (one server's
	processes), removed with the other processes by procs.stop_all();
	without it, None."""
	if opts.server_cpu_quota is None:
		return None
	q = Quota(opts, name)
	procs.quotas.append(q)		# removed even if create() dies
	q.create()
	for pid in pids:
		q.add(pid)
	return q


def usage_start(pid, quota):
	"""A snapshot of pid's CPU time (and quota's periods) for
	usage_end."""
	return cpu_ticks(pid), quota.stat() if quota else None


def usage_end(opts, pid, quota, snap, st, secs):
	"""Add to dnsperf statistics st what pid used since snap: usr_us,
	sys_us, cpu_us (CPU time per answered query), busy (CPU time over
	secs), and with a quota qbusy (busy over the quota's share) and
	throttled (throttled periods over periods)."""
	hz = os.sysconf("SC_CLK_TCK")
	(u0, s0), q0 = snap
	u1, s1 = cpu_ticks(pid)
	n = max(1, st["completed"])
	st["usr_us"] = (u1 - u0) * 1e6 / hz / n
	st["sys_us"] = (s1 - s0) * 1e6 / hz / n
	st["cpu_us"] = st["usr_us"] + st["sys_us"]
	st["busy"] = (u1 - u0 + s1 - s0) / hz / secs
	if quota:
		p1, t1 = quota.stat()
		st["qbusy"] = st["busy"] * 100.0 / quota.pct
		st["throttled"] = (t1 - q0[1]) / max(1, p1 - q0[0])


def usage_text(st):
	"""The quota figures of a run for a progress line ('' without)."""
	if "qbusy" not in st:
		return ""
	return " (%.0f%% of quota, throttled in %.0f%% of periods)" % (
	    st["qbusy"] * 100, st["throttled"] * 100)


def quota_line(opts):
	"""The report's line on quotas, or None without one."""
	if opts.server_cpu_quota is None:
		return None
	return ("   servers under a CPU quota: %g %% of one CPU each (cgroup, "
	    "%d us per %d us period); qbusy: busy over the quota, thr: "
	    "periods throttled" % (opts.server_cpu_quota,
	    int(opts.server_cpu_period * opts.server_cpu_quota / 100),
	    opts.server_cpu_period))


def quota_columns(opts, fmt, hdr):
	"""A report table's format and header, with the quota's two columns
	(qbusy, thr) when there is a quota."""
	if opts.server_cpu_quota is None:
		return fmt, hdr
	return fmt + " %6s %5s", hdr + ("qbusy", "thr")


def quota_cells(runs):
	"""The quota's two cells of a server's row (medians over its runs),
	or none without a quota."""
	if not runs or "qbusy" not in runs[0]:
		return ()
	return ("%.0f%%" % (median([x["qbusy"] for x in runs]) * 100),
	    "%.0f%%" % (median([x["throttled"] for x in runs]) * 100))

#!/bin/sh
# The cgroup scenarios, run inside the VM by the oneshot `cgtest`
# (test/integration/vm/cgroups.test.ts boots it and judges what it prints).
# Each fact is one console line "cgtest: KEY VALUE..."; the output of a command is
# framed by "cgtest: BEGIN KEY" and "cgtest: END KEY". It checks nothing itself,
# so a failure on the host shows the facts as they were.
CG=/sys/fs/cgroup
say() { echo "cgtest: $*"; }
dump() {
  key=$1
  shift
  say "BEGIN $key"
  "$@" 2>&1
  say "END $key"
}
flat() { tr '\n' ' ' <"$1"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
# A process that exists and is no zombie.
alive() {
  if [ -e "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; then echo alive; else echo gone; fi
}
pgrp() { sed 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f3; }
pid_of() { zinit --json status "$1" | sed -n 's/^  "pid": \([0-9]*\),$/\1/p'; }
# wait_for SECONDS COMMAND...: until COMMAND succeeds (by the guest's clock)
wait_for() {
  deadline=$(($(cut -d. -f1 /proc/uptime) + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$(cut -d. -f1 /proc/uptime)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

say "start at $(uptime_s)"
dump info zinit --json info
say "zinit.scope $(flat $CG/zinit.scope/cgroup.procs)"
for p in $(cat $CG/zinit.scope/cgroup.procs); do printf '%s ' "$(tr '\0' ' ' </proc/$p/cmdline)" ; done >/run/scope.cmdlines
say "zinit.scope cmdlines $(cat /run/scope.cmdlines)"
say "subtree_control $(cat $CG/cgroup.subtree_control)"
say "self $(cat /proc/self/cgroup)"

# Placement: forker's first act is a fork.
zinit start forker >/dev/null 2>&1
dump forker zinit logs forker

# An OOM kill, then the restart.
zinit start hog --no-wait >/dev/null 2>&1
wait_for 60 test -e /run/hog.once
wait_for 60 sh -c 'zinit --json status hog | grep -q "\"restarts\": 1,"'
wait_for 60 sh -c 'zinit --json status hog | grep -q "\"state\": \"running\""'
say "hog memory.events $(flat $CG/hog.service/memory.events)"
dump hog zinit --json status hog
zinit stop hog >/dev/null 2>&1

# Daemons outside the process group: a stop reaches them through the cgroup.
rm -f /run/daemon.pid /run/stubborn.pid
zinit start daemon >/dev/null 2>&1
wait_for 60 test -s /run/daemon.pid
wait_for 60 test -s /run/stubborn.pid
L=$(pid_of daemon)
D=$(cat /run/daemon.pid)
S=$(cat /run/stubborn.pid)
say "daemon pids $L $D $S"
say "daemon pgrps $(pgrp "$L") $(pgrp "$D") $(pgrp "$S")"
say "daemon procs $(flat $CG/daemon.service/cgroup.procs)"
t0=$(uptime_s)
zinit stop daemon >/dev/null 2>&1
t1=$(uptime_s)
say "daemon stop took $t0 $t1"
say "daemon after $(alive "$L") $(alive "$D") $(alive "$S")"
say "daemon events $(flat $CG/daemon.service/cgroup.events)"
dump daemon zinit --json status daemon

# A burst of forks held at pids_max while the rest of the machine works.
zinit start bomb >/dev/null 2>&1
sleep 3
say "bomb pids $(cat $CG/bomb.service/pids.current) $(cat $CG/bomb.service/pids.max)"
say "bomb pids.events $(flat $CG/bomb.service/pids.events)"
zinit start alive >/dev/null 2>&1
dump alive zinit --json status alive
zinit stop bomb >/dev/null 2>&1
say "bomb after $(zinit --json status bomb | sed -n 's/^  "state": "\(.*\)",$/\1/p') $(flat $CG/bomb.service/cgroup.events)"

# cpu_max = 10%: a busy loop is throttled.
zinit start spin >/dev/null 2>&1
sleep 3
say "spin cpu.max $(cat $CG/spin.service/cpu.max)"
say "spin cpu.stat $(flat $CG/spin.service/cpu.stat)"
dump spin zinit --json status spin
zinit stop spin >/dev/null 2>&1

# A reload raises memory_max in place.
zinit start grow >/dev/null 2>&1
say "grow before $(pid_of grow) $(cat $CG/grow.service/memory.max)"
sed -i 's/"64M"/"96M"/' /etc/zinit/services/grow.toml
dump reload zinit --json reload
say "grow after $(pid_of grow) $(cat $CG/grow.service/memory.max)"
zinit stop grow >/dev/null 2>&1

say "done at $(uptime_s)"
exec zinit poweroff

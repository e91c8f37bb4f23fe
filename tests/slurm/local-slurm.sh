#!/usr/bin/env bash
# A real one-node Slurm on this machine for the sweep test (see docs/sweeps.md):
#   1. installs Debian's slurm-wlm and munge if missing (as root; apt-get must reach Debian's packages),
#   2. writes a minimal configuration into a temporary folder (nothing under /etc is changed),
#   3. starts munged (own socket), slurmctld and slurmd in the foreground as children of this script,
#   4. submits a 4-job array of short spring runs with `hnn sweep --slurm`, waits until squeue no longer lists it,
#   5. merges the sweep with `hnn report --results SWEEP_DIR`,
#   6. stops exactly the daemons it started (by pid) and removes its temporary folder, also on failure.
# Usage: local-slurm.sh HNN_DLL SWEEP_DIR
# Prints "local-slurm: daemons PID PID PID" (so a caller can check they are gone) and, at the end, "local-slurm: passed (N s)".
set -euo pipefail

hnn_dll=${1:?usage: local-slurm.sh HNN_DLL SWEEP_DIR}
sweep=${2:?usage: local-slurm.sh HNN_DLL SWEEP_DIR}
started=$(date +%s)
log() { echo "local-slurm: $* ($(($(date +%s) - started)) s)"; }
fail() { echo "local-slurm: FAILED: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "must run as root (it installs packages and starts daemons as root)"
[ -f "$hnn_dll" ] || fail "no such file: $hnn_dll (build first)"

tmp=$(mktemp -d /tmp/hnn-slurm.XXXXXX)
chmod 755 "$tmp"
pids=()
job=""
cleanup() {
    local code=$?
    if [ -n "$job" ] && [ -n "${SLURM_CONF:-}" ] && squeue -h -j "$job" 2>/dev/null | grep -q .; then
        scancel "$job" 2>/dev/null || true
    fi
    # Newest first: slurmd, slurmctld, munged. Each is this shell's child, so `wait` reaps it.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill "${pids[i]}" 2>/dev/null || true
        wait "${pids[i]}" 2>/dev/null || true
    done
    if [ $code -ne 0 ]; then
        for f in "$tmp"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 15 "$f"; } >&2; done
    fi
    rm -rf "$tmp"
    exit $code
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. packages
missing=0
for b in munged slurmctld slurmd sbatch squeue sinfo scancel; do command -v "$b" >/dev/null || missing=1; done
if [ $missing = 1 ]; then
    command -v apt-get >/dev/null || fail "Slurm is not installed and there is no apt-get to install it"
    log "installing slurm-wlm and munge"
    # No service may start during the install: only what this script starts runs, and it stops all of it.
    policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy=/usr/sbin/policy-rc.d
    fi
    if ! apt-get -q -o DPkg::Lock::Timeout=300 update >"$tmp/apt.log" 2>&1; then
        [ -n "$policy" ] && rm -f "$policy"
        fail "apt-get update failed (no network to Debian's packages?): $(tail -n 1 "$tmp/apt.log")"
    fi
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 slurm-wlm munge >>"$tmp/apt.log" 2>&1; then
        [ -n "$policy" ] && rm -f "$policy"
        fail "apt-get install slurm-wlm munge failed: $(tail -n 1 "$tmp/apt.log")"
    fi
    [ -n "$policy" ] && rm -f "$policy"
    log "installed $(dpkg-query -W -f '${Version}' slurm-wlm)"
fi
[ -r /etc/munge/munge.key ] || fail "no /etc/munge/munge.key (the munge package creates it)"

# ---- 2. configuration (one node, this host, ports that are free)
host=$(hostname -s)
free_port() {
    local p=$1
    while (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
    echo "$p"
}
ctld_port=$(free_port 16817)
slurmd_port=$(free_port $((ctld_port + 1)))
memory=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/munge"
chown munge:munge "$tmp/munge"
chmod 755 "$tmp/munge"
cat >"$tmp/slurm.conf" <<EOF
ClusterName=local
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/munge.socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
NodeName=$host CPUs=$(nproc) RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
cat >"$tmp/cgroup.conf" <<EOF
CgroupPlugin=cgroup/v1
CgroupAutomount=no
IgnoreSystemd=yes
EOF
export SLURM_CONF=$tmp/slurm.conf

# ---- 3. daemons, each in the foreground as a child of this shell
# setpriv execs munged as the munge user (su would fork it and leave it unreaped when stopped).
setpriv --reuid=munge --regid=munge --clear-groups -- /usr/sbin/munged --foreground --socket="$tmp/munge/munge.socket" \
    --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/munge/munged.log" --seed-file="$tmp/munge/munged.seed" >"$tmp/munged.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$tmp/munge/munge.socket" ] && break; kill -0 "${pids[0]}" 2>/dev/null || fail "munged exited"; sleep 0.1; done
[ -S "$tmp/munge/munge.socket" ] || fail "munged did not open its socket"
slurmctld -D -f "$SLURM_CONF" >"$tmp/slurmctld.out.log" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$tmp/slurmd.out.log" 2>&1 &
pids+=($!)
echo "local-slurm: daemons ${pids[*]}"
state=""
for _ in $(seq 300); do
    state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
    [ "$state" = idle ] && break
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || fail "a daemon exited (pid $p)"; done
    sleep 0.1
done
[ "$state" = idle ] || fail "the node did not become idle within 30 s (state '$state')"
log "slurmctld and slurmd up on $host (ports $ctld_port, $slurmd_port), node idle"

# ---- 4. a 4-job array through hnn sweep --slurm
out=$(dotnet "$hnn_dll" sweep --tasks spring --models hnn baseline --seeds 0 1 --set steps=20 --no-eval \
    --checkpoint-every 0 --out "$sweep" --slurm --time 5 2>&1) || fail "hnn sweep --slurm failed: $out"
echo "$out"
job=$(sed -n 's/^submitted Slurm job \([0-9]*\).*/\1/p' <<<"$out")
[ -n "$job" ] || fail "hnn sweep --slurm printed no job id"
log "submitted job $job"
for _ in $(seq 1800); do
    squeue -h -j "$job" 2>/dev/null | grep -q . || break
    sleep 0.1
done
squeue -h -j "$job" 2>/dev/null | grep -q . && fail "job $job still queued or running after 180 s: $(squeue -j "$job" 2>&1)"
states=$(scontrol -o show job "$job" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | sort | uniq -c | tr -s ' ' | tr '\n' ';')
log "job $job left the queue: $states"
[ -z "$(scontrol -o show job "$job" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | grep -v COMPLETED)" ] || fail "not every array task completed: $states (logs in $sweep/logs)"

# ---- 5. merge
dotnet "$hnn_dll" report --results "$sweep" || fail "hnn report --results $sweep failed"
log "passed"

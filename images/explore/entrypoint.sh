#!/bin/sh
# Start the exploration host: a fresh host key, the student's key, then sshd.
# Runs as root (sshd must, to log 'student' in); 'student' itself has no way back to root.
set -eu

ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key
mkdir -p /run/sshd
chmod 0755 /run/sshd

# What touches the student's home is done as the student (root here has no CAP_DAC_OVERRIDE).
as_student() { setpriv --reuid=student --regid=student --init-groups --reset-env "$@"; }

if [ ! -d /home/student/exercises ]; then
    as_student sh -c 'cp -r /opt/proclab/exercises ~/exercises && mkdir -p ~/answers'
fi
if [ -n "${PROCLAB_AUTHORIZED_KEY:-}" ]; then
    printf '%s\n' "$PROCLAB_AUTHORIZED_KEY" | as_student sh -c \
        'umask 077 && mkdir -p ~/.ssh && cat > ~/.ssh/authorized_keys'
else
    echo "proclab-explore: no PROCLAB_AUTHORIZED_KEY given: nobody can log in over ssh yet." >&2
    echo "proclab-explore: set it to your public key, or use 'docker compose exec -u student explore bash'." >&2
fi

# The harness reads this line from the container's log to write a known_hosts entry.
echo "proclab-explore: host key $(cat /etc/ssh/ssh_host_ed25519_key.pub)"
exec /usr/sbin/sshd -D -e

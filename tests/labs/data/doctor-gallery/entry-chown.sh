#!/bin/sh
# the official images' entrypoint pattern: start as root, own the data directory, drop to the
# service user with exec (postgres, redis, mongo, mariadb and rabbitmq do this with gosu)
set -e
chown -R svc:svc /data
exec setpriv --reuid=svc --regid=svc --init-groups "$@"

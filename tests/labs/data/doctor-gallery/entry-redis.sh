#!/bin/sh
# as the official redis image's docker-entrypoint.sh: chown the data directory, then gosu
set -e
chown -R redis:redis /var/lib/redis
exec gosu redis "$@"

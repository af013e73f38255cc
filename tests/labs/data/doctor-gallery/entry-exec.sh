#!/bin/sh
# execs the program: it replaces the shell as pid 1
echo "entrypoint: setting up"
exec python3 /gallery/app.py --handler "$@"

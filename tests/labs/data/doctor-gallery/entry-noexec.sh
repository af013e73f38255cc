#!/bin/sh
# runs the program as a child: the shell stays pid 1
echo "entrypoint: setting up"
python3 /gallery/app.py "$@"

"""Runs Ralph's LRS with its file-system backend in this one process, for Rapport's tests.

Ralph 5.1.0's file-system backend writes statements with the operation type CREATE, which
refuses every write after the first one (the statement file then exists); an LRS must add
statements to it, so this launcher makes APPEND the backend's default before the app starts.
`ralph runserver` cannot be used for that: it runs the app in a reloading child process.

Usage: python ralph_server.py HOST PORT DATA_DIRECTORY   (auth file: RALPH_AUTH_FILE)
"""

import os
import sys

host, port, data = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.environ["RALPH_RUNSERVER_BACKEND"] = "fs"
os.environ["RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH"] = data

from ralph.backends.data.base import BaseOperationType  # noqa: E402
from ralph.backends.data.fs import FSDataBackend  # noqa: E402

FSDataBackend.default_operation_type = BaseOperationType.APPEND

import uvicorn  # noqa: E402

uvicorn.run("ralph.api:app", host=host, port=port, log_level="warning")

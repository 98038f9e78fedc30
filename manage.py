#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connaissance.settings")
    # A checkout with no configuration at all is a developer's: run in development mode rather
    # than refuse. Production always sets SECRET_KEY (docker-compose requires it), and the web
    # server starts from wsgi.py, which has no such default.
    if "SECRET_KEY" not in os.environ:
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)

"""Container healthcheck of the web service: GET /sante/ on the local gunicorn.

Sends a Host the portal accepts (the first of ALLOWED_HOSTS) and X-Forwarded-Proto: https, as
the TLS-terminating proxy would, so neither ALLOWED_HOSTS nor SECURE_SSL_REDIRECT get in the
way. Exit 0 when the portal answers 200 (503 means its database is unreachable).
"""

import os
import sys
import urllib.error
import urllib.request

hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
host = (hosts[0] if hosts else "localhost").lstrip(".")
if host == "*":
    host = "localhost"
request = urllib.request.Request(
    "http://127.0.0.1:8000/sante/", headers={"Host": host, "X-Forwarded-Proto": "https"}
)
try:
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - fixed URL
        sys.exit(0 if response.status == 200 else 1)
except (urllib.error.URLError, OSError) as exc:
    print(f"unhealthy: {exc}", file=sys.stderr)
    sys.exit(1)

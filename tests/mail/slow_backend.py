"""A file-based e-mail backend as slow as a distant SMTP relay, for the tests that kill a
worker in the middle of a send (tests/mail/test_killed_worker.py).

Selected with EMAIL_BACKEND=tests.mail.slow_backend.EmailBackend; each send first leaves a
mark in SLOW_MAIL_STARTED (so that a test knows a send is under way), waits
SLOW_MAIL_SECONDS, then writes the message to SLOW_MAIL_DIR as Django's file backend does.
"""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class EmailBackend(FileBackend):
    def __init__(self, *args, file_path=None, **kwargs):
        super().__init__(*args, file_path=file_path or os.environ["SLOW_MAIL_DIR"], **kwargs)

    def send_messages(self, email_messages):
        started = os.environ.get("SLOW_MAIL_STARTED")
        if started:
            Path(started, f"{time.time_ns()}-{uuid.uuid4().hex[:8]}").touch()
        time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "0.5")))
        return super().send_messages(email_messages)

"""`make demo`'s background work: a worker with embedded beat on kombu's filesystem broker
really runs the periodic tasks (no Redis needed)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from connaissance.ops.models import Heartbeat

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_with_embedded_beat_on_the_filesystem_broker_ticks(tmp_path):
    settings_dict = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    env.update({
        "DATABASE_URL": "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
            **settings_dict),
        "CONNAISSANCE_VAR_DIR": str(tmp_path),
        "BEAT_HEARTBEAT_SECONDS": "1",
    })
    for folder in ("processed", "control"):
        (tmp_path / "broker" / folder).mkdir(parents=True)
    celery = Path(sys.executable).with_name("celery")
    worker = subprocess.Popen(
        [str(celery), "-A", "connaissance", "worker", "-B", "--pool=solo", "--loglevel=INFO",
         f"--schedule={tmp_path / 'celerybeat-schedule'}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and not Heartbeat.objects.exists():
            time.sleep(0.5)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert Heartbeat.objects.filter(name="celery-beat").exists(), output[-3000:]
    assert "filesystem://" in output
    assert "Sending due task beat-heartbeat" in output

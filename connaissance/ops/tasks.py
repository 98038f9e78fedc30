from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def record_beat_tick():
    services.record_tick()


@shared_task
def ping(value: str) -> str:
    """A round trip through the broker and a worker (used by the health tests)."""
    return f"pong:{value}"

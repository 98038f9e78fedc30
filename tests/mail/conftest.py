"""The outbox tests share the real in-thread Celery worker of tests/core/test_worker.py."""

from tests.core.test_worker import redis_broker, worker  # noqa: F401 - fixtures

"""Fixtures of the resilience tests: real worker processes, reaped whatever happens."""

import uuid

import pytest

from tests.resilience.workers import Worker


@pytest.fixture
def queue() -> str:
    """A queue of this test only: no other test's worker takes its messages."""
    return f"resilience-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def workers(queue, tmp_path):
    """``workers()`` starts one more worker on the test's queue; all are killed at the end.
    Their log is ``tmp_path / "worker.log"``."""
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(queue=queue, log=tmp_path / "worker.log").start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()

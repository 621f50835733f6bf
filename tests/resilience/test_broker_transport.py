"""The broker transport on a lost connection: the exact sequence that used to end the worker.

Celery's consumer, when Redis drops, calls `connection.collect()` and then
`connection.close()` (ignoring connection errors only). With kombu's own
Redis transport (5.7.0) the close raises AttributeError ('NoneType' object
has no attribute 'hostname') when the task channel holds an unacknowledged
message, has its next BRPOP pending and the loss was noticed on another
channel first; `backend.workers.broker.Transport` closes it cleanly.
"""

from __future__ import annotations

import contextlib

from kombu import Connection, Exchange, Queue
from kombu.common import ignore_errors

from backend.workers import broker
from backend.workers.celery_app import broker_transport, celery_app
from tests.resilience.conftest import FlappingRedis


def test_connection_lost_with_unacknowledged_message_closes_without_error(
    flapping_redis: FlappingRedis,
):
    # given: as in a busy worker, a task channel holding one message with its next BRPOP
    # pending, and a remote-control subscription (fanout, auto-delete) on the same connection
    connection = Connection(flapping_redis.url, transport=broker.Transport)
    tasks = Queue("tasks", Exchange("tasks"), "tasks")
    control = Queue("control", Exchange("control", type="fanout"), auto_delete=True)
    with connection.Producer() as producer:
        for n in range(3):
            producer.publish(
                {"n": n}, exchange=tasks.exchange, routing_key="tasks", declare=[tasks]
            )
    held: list[object] = []
    task_channel = connection.default_channel
    connection.Consumer(
        tasks,
        channel=task_channel,
        callbacks=[lambda body, message: held.append(message)],
        prefetch_count=2,
    ).consume()
    connection.Consumer(
        control, channel=connection.channel(), callbacks=[lambda body, message: None], no_ack=True
    ).consume()
    while not held:
        connection.drain_events(timeout=2)
    task_channel._brpop_start()
    assert task_channel._in_poll and len(task_channel.qos._delivered) == 1

    # when: Redis dies and the consumer cleans up the way Celery does
    flapping_redis.kill()
    with contextlib.suppress(Exception):
        connection.collect(socket_timeout=2)

    # then: closing raises nothing Celery would treat as unrecoverable
    ignore_errors(connection, connection.close)


def test_the_app_uses_the_fixed_transport_for_a_redis_broker():
    assert broker_transport("redis://127.0.0.1:6379/0") is broker.Transport
    assert broker_transport("rediss://example.com:6380/0") is None
    with celery_app.connection_for_write() as connection:
        assert isinstance(connection.transport, broker.Transport)
        assert connection.transport.driver_type == "redis"
        assert connection.as_uri().startswith("redis://")  # what logs and the banner show


def test_tasks_running_when_the_connection_drops_are_left_to_finish():
    # cancelling them would kill their pool process: a "worker loss" in ReliableTask's count,
    # and after three flaps during one message that message would be given up
    assert celery_app.conf.worker_cancel_long_running_tasks_on_connection_loss is False
    assert celery_app.conf.broker_connection_max_retries is None

"""The one Celery app: Redis broker, settings chosen so accepted work is never lost.

Processes run it through `backend.worker` (`celery -A
backend.worker worker|beat`), which also wires them at start-up.

- JSON only; tasks take ids, never objects.
- `acks_late` + `reject_on_worker_lost`: a task whose worker dies goes back to
  the queue. Every task here is idempotent, so running one twice is harmless;
  `tasks.ReliableTask` bounds how often a task may kill its worker.
- prefetch 1: a long task does not hold a queue of others hostage.
- retries back off exponentially with jitter and never wait longer than half
  the broker's visibility timeout, after which Redis would hand the message
  to another worker while the first still holds it.
- publishing gives up within about a second when Redis is down: the caller's
  rows stay pending and a sweep submits them again.
- a Redis outage never ends the worker: it reconnects for as long as it
  takes, through `broker.Transport` (kombu's Redis transport with the fix
  for the crash on unacknowledged messages, see there), and tasks running
  when the connection drops are left to finish rather than cancelled; they
  are idempotent, and a cancelled one would count as a worker loss in
  `tasks.ReliableTask`. Supervision (compose `restart`, systemd
  `Restart=always`, README "Workers") covers whatever else ends one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from celery import Celery
from celery.signals import worker_process_init
from kombu import Queue

from backend.core.config import settings
from backend.workers import broker
from backend.workers.schedule import beat_schedule

DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"
TASK_SOFT_TIME_LIMIT_S = 240
TASK_TIME_LIMIT_S = 300

celery_app = Celery("vetassist", include=["backend.workers.tasks"])


def retry_backoff_max(visibility_timeout_s: int) -> int:
    """The longest retry countdown: 10 min, or half the visibility timeout if shorter."""
    return max(1, min(600, visibility_timeout_s // 2))


def broker_transport(broker_url: str) -> type[broker.Transport] | None:
    """Our Redis transport for a `redis://` broker; None (kombu picks by scheme) otherwise.

    `rediss://` keeps kombu's own choice, which also decides its TLS defaults.
    """
    return broker.Transport if urlsplit(broker_url).scheme == "redis" else None


def configure(
    broker_url: str | None = None,
    *,
    queue: str | None = None,
    visibility_timeout_s: int | None = None,
) -> Celery:
    """(Re)applies the configuration; tests point it at their own queue and key prefix."""
    queue = queue or settings.CELERY_QUEUE
    visibility = visibility_timeout_s or settings.CELERY_VISIBILITY_TIMEOUT_S
    broker_url = broker_url or settings.REDIS_URL or DEFAULT_BROKER_URL
    celery_app.conf.update(
        broker_url=broker_url,
        broker_transport=broker_transport(broker_url),
        broker_transport_options={
            "visibility_timeout": visibility,
            "global_keyprefix": f"{queue}:",
            "socket_connect_timeout": 2,
            "socket_timeout": 10,
            "health_check_interval": 25,
            "unacked_restore_interval": 10,
        },
        broker_connection_timeout=2,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a worker waits for Redis to come back
        task_publish_retry=True,
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        result_backend=None,
        task_default_queue=queue,
        task_queues=(Queue(queue, routing_key=queue),),
        task_default_routing_key=queue,
        task_acks_late=True,
        task_acks_on_failure_or_timeout=True,
        task_reject_on_worker_lost=True,
        task_soft_time_limit=TASK_SOFT_TIME_LIMIT_S,
        task_time_limit=TASK_TIME_LIMIT_S,
        worker_prefetch_multiplier=1,
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        task_send_sent_event=False,
        enable_utc=True,
        timezone="UTC",
        beat_schedule=beat_schedule(),
    )
    _drop_connections()
    return celery_app


def _drop_connections() -> None:
    """Forgets pooled connections made under earlier settings (a new broker or key prefix)."""
    celery_app._pool = None  # the old pool is left to the garbage collector
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


def key(name: str) -> str:
    """A Redis key in this deployment's namespace (locks, delivery counters)."""
    return f"{celery_app.conf.task_default_queue}:vetassist:{name}"


def task_options(**overrides: Any) -> dict[str, Any]:
    """Retry settings shared by the tasks: exponential backoff with jitter."""
    options: dict[str, Any] = {
        "acks_late": True,
        "autoretry_for": (Exception,),
        "retry_backoff": 2,
        "retry_backoff_max": retry_backoff_max(settings.CELERY_VISIBILITY_TIMEOUT_S),
        "retry_jitter": True,
        "max_retries": 5,
    }
    options.update(overrides)
    return options


configure()


@worker_process_init.connect
def _fresh_connections(**_: Any) -> None:
    """A forked pool child must not share the parent's database connections."""
    from backend.core.db import get_engine

    get_engine().dispose(close=False)

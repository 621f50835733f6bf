"""The Celery settings that make accepted work survive crashes, and the beat schedule."""

from __future__ import annotations

from datetime import timedelta

from backend.core.config import settings
from backend.workers import celery_app as celery_module
from backend.workers import tasks  # noqa: F401  (registers the tasks)
from backend.workers.celery_app import celery_app, retry_backoff_max
from backend.workers.sweeps import SWEEPS


def test_celery_is_configured_for_reliable_idempotent_tasks():
    conf = celery_app.conf
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert (
        conf.broker_transport_options["visibility_timeout"] == settings.CELERY_VISIBILITY_TIMEOUT_S
    )
    assert conf.task_soft_time_limit < conf.task_time_limit < settings.CELERY_VISIBILITY_TIMEOUT_S
    assert conf.task_ignore_result is True


def test_every_task_retries_with_backoff_and_jitter_below_the_visibility_timeout():
    for name in (
        "relay_outbox_task",
        "process_inbound_task",
        "deliver_message_task",
        "send_alert_delivery_task",
        "sync_calendar_task",
    ):
        task = celery_app.tasks[f"backend.workers.tasks.{name}"]
        assert task.acks_late is True
        assert task.autoretry_for == (Exception,)
        assert task.retry_jitter is True and task.retry_backoff
        assert task.retry_backoff_max < settings.CELERY_VISIBILITY_TIMEOUT_S
        assert 0 < task.max_retries <= 5


def test_retry_backoff_max_stays_below_a_short_visibility_timeout():
    assert retry_backoff_max(3600) == 600
    assert retry_backoff_max(60) == 30
    assert retry_backoff_max(1) == 1


def test_beat_schedule_runs_every_sweep_at_its_interval():
    schedule = celery_app.conf.beat_schedule
    assert {name: entry["schedule"] for name, entry in schedule.items()} == {
        "outbox-relay": 15.0,
        "due-reminders": 15.0,
        "conversation-timeouts": 60.0,
        "due-follow-ups": 300.0,
        "slot-holds": 60.0,
        "resubmit-messages": 30.0,
        "stuck-messages": 60.0,
        "alert-deliveries": 60.0,
        "calendar-syncs": 60.0,
        "calendar-busy": 120.0,
        "calendar-channels": 1800.0,
    }
    assert all(entry["task"] in celery_app.tasks for entry in schedule.values())
    # a sweep message that waited longer than its interval is dropped, not piled up
    assert all(entry["options"]["expires"] == entry["schedule"] for entry in schedule.values())


def test_sweep_intervals_match_the_issue():
    by_name = {s.name: s.every for s in SWEEPS}
    assert by_name["conversation-timeouts"] == timedelta(minutes=1)
    assert by_name["due-follow-ups"] == timedelta(minutes=5)
    assert by_name["due-reminders"] <= timedelta(minutes=1)


def test_configure_namespaces_queue_and_redis_keys():
    try:
        celery_module.configure("redis://127.0.0.1:6379/0", queue="ns-test")
        assert celery_app.conf.task_default_queue == "ns-test"
        assert celery_app.conf.broker_transport_options["global_keyprefix"] == "ns-test:"
        assert celery_module.key("lock:x") == "ns-test:vetassist:lock:x"
    finally:
        celery_module.configure(celery_module.DEFAULT_BROKER_URL, queue=settings.CELERY_QUEUE)

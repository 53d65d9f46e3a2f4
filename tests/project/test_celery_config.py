from config import celery_app


def test_celery_is_configured_for_at_least_once_delivery_with_json_only():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"] and conf.task_serializer == "json"
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit


def test_the_nightly_jobs_run_at_night_local_time_not_every_24_hours_from_when_beat_started():
    import copy
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from celery.schedules import crontab

    schedule = celery_app.conf.beat_schedule
    assert celery_app.conf.timezone == "Asia/Shanghai"
    for name in ("recompute-progress-nightly", "institution-ratings-nightly", "monthly-reports"):
        entry = schedule[name]["schedule"]
        assert isinstance(entry, crontab), name
        assert entry.hour and max(entry.hour) < 6, f"{name} runs at {sorted(entry.hour)} h"
    # Due at 01:30 in Shanghai: the recompute is not due at 01:29, due at 01:31 when it last ran yesterday.
    tz = ZoneInfo("Asia/Shanghai")
    nightly = copy.copy(schedule["recompute-progress-nightly"]["schedule"])  # the shared one keeps its clock
    nightly.nowfun = lambda: datetime(2026, 12, 2, 1, 31, tzinfo=tz)
    assert nightly.is_due(datetime(2026, 12, 1, 1, 30, tzinfo=tz)).is_due
    nightly.nowfun = lambda: datetime(2026, 12, 2, 1, 29, tzinfo=tz)
    assert not nightly.is_due(datetime(2026, 12, 1, 1, 30, tzinfo=tz)).is_due

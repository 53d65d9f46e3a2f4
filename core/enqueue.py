"""Enqueueing that never loses work or breaks a request when the broker is down: the durable state is in the
database (a claim in 'verifying', a pending import job), and a sweeper re-enqueues whatever is stuck."""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args) -> None:
    """`task.delay(*args)` after the transaction commits; if the broker is unreachable, log and leave the work
    to the sweeper instead of failing a request whose data is already saved."""

    def send():
        try:
            task.delay(*args)
        except OperationalError:
            logger.warning("broker unreachable: %s(%s) left for the sweeper", task.name, args)

    transaction.on_commit(send)

"""Email subscriptions and digests: subscribe (double opt-in), compose (pure), schedule
(pure), build messages, and the jobs that record them in the outbox and send them."""

from paperscope.digests.compose import Digest, DigestItem, DigestPaper, compose_digest
from paperscope.digests.model import Subscription, SubscriptionRequest

__all__ = [
    "Digest",
    "DigestItem",
    "DigestPaper",
    "Subscription",
    "SubscriptionRequest",
    "compose_digest",
]

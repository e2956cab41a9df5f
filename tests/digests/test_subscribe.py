"""Subscribe requests against what is already stored, through a real SMTP server, on SQLite
and PostgreSQL: a request never undoes an unsubscribe (only the new link does), one address
gets a bounded number of confirmation mails a day however many clients ask, and every
answer is the same."""

from __future__ import annotations

from datetime import timedelta

from digests.helpers import WEDNESDAY_8AM, link, token_of
from digests.smtp_server import SmtpServer
from paperscope.config import Settings
from paperscope.digests import jobs, service
from paperscope.digests.model import Subscription, SubscriptionRequest
from paperscope.store import Store

CONFIRM_LINK = r"\S+/subscriptions/confirm/\S+"


def only_subscription(store: Store) -> Subscription:
    [subscription] = service.list_subscriptions(store)
    return subscription


def test_a_request_leaves_an_unsubscribe_alone_until_its_new_link_is_clicked(
    mail_settings: Settings, store: Store, smtp: SmtpServer, corpus: list[str]
) -> None:
    first = service.subscribe(
        mail_settings, store, SubscriptionRequest(email="ada@example.org"), client="10.0.0.1"
    )
    jobs.deliver(mail_settings, store, ids=first.outbox_ids)
    old_link = token_of(link(smtp.to("ada@example.org")[-1], CONFIRM_LINK))
    service.confirm(mail_settings, store, old_link)
    ada = only_subscription(store)
    tokens = service.tokens_for(mail_settings)
    service.unsubscribe(mail_settings, store, tokens.make("unsubscribe", ada.id, ada.nonce))

    # Someone else asks for the same subscription with other choices.
    wanted = SubscriptionRequest(
        email="ada@example.org", frequency="weekly", timezone="Asia/Tokyo", hour=9
    )
    again = service.subscribe(mail_settings, store, wanted, client="6.6.6.6")
    assert again.message == first.message
    jobs.deliver(mail_settings, store, ids=again.outbox_ids)
    mail = smtp.to("ada@example.org")[-1]
    assert "weekly trending papers" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    stored = only_subscription(store)
    assert (stored.status, stored.frequency, stored.timezone, stored.hour) == (
        "unsubscribed",
        "daily",
        "UTC",
        7,
    )
    smtp.clear()
    composed, _ = jobs.run_digests(mail_settings, store, now=WEDNESDAY_8AM, force=True)
    assert composed.due == 0 and smtp.to("ada@example.org") == []

    # The link from before the unsubscribe (a scanner, a stale mail) does not undo it...
    assert service.confirm(mail_settings, store, old_link).status == "unsubscribed"
    # ...the new one does, with the choices of the request it answered.
    new_link = token_of(link(mail, CONFIRM_LINK))
    confirmed = service.confirm(mail_settings, store, new_link)
    assert (confirmed.status, confirmed.frequency, confirmed.timezone, confirmed.hour) == (
        "active",
        "weekly",
        "Asia/Tokyo",
        9,
    )
    assert service.confirm(mail_settings, store, new_link) == confirmed  # twice: harmless
    # Once active, a stranger's request changes nothing and sends nothing.
    other = SubscriptionRequest(email="ada@example.org", frequency="daily", hour=3)
    assert service.subscribe(mail_settings, store, other, client="7.7.7.7").outbox_ids == []
    assert only_subscription(store) == confirmed


def test_a_pending_subscription_takes_the_choices_of_the_link_clicked(
    mail_settings: Settings, store: Store, smtp: SmtpServer
) -> None:
    for hour, client in ((6, "10.0.0.1"), (20, "10.0.0.2")):
        outcome = service.subscribe(
            mail_settings,
            store,
            SubscriptionRequest(email="twice@example.org", hour=hour),
            client=client,
        )
        jobs.deliver(mail_settings, store, ids=outcome.outbox_ids)
    early, late = smtp.to("twice@example.org")
    assert only_subscription(store).hour == 6  # the first request's, until a click
    confirmed = service.confirm(mail_settings, store, token_of(link(late, CONFIRM_LINK)))
    assert (confirmed.status, confirmed.hour) == ("active", 20)
    assert service.confirm(mail_settings, store, token_of(link(early, CONFIRM_LINK))).hour == 20


def test_one_address_gets_a_few_confirmations_a_day_however_many_clients_ask(
    mail_settings: Settings, store: Store, smtp: SmtpServer
) -> None:
    settings = mail_settings.model_copy(
        update={"subscribe_limit_per_address": 3, "subscribe_confirmations_per_address_per_day": 4}
    )
    answers = set()
    # Every two hours, three new clients (within the hourly limit of the address).
    for n in range(24):
        at = WEDNESDAY_8AM + timedelta(hours=2 * (n // 3), minutes=n % 3)
        outcome = service.subscribe(
            settings,
            store,
            SubscriptionRequest(email="victim@example.org"),
            client=f"198.51.100.{n}",
            now=at,
        )
        jobs.deliver(settings, store, ids=outcome.outbox_ids, clock=lambda at=at: at)
        answers.add(outcome.message)
    assert len(smtp.to("victim@example.org")) == 4
    assert len(answers) == 1  # the same answer, mailed or not
    # A day after the first mails, the address may get one again.
    tomorrow = WEDNESDAY_8AM + timedelta(days=1, minutes=1)
    outcome = service.subscribe(
        settings,
        store,
        SubscriptionRequest(email="victim@example.org"),
        client="203.0.113.1",
        now=tomorrow,
    )
    jobs.deliver(settings, store, ids=outcome.outbox_ids, clock=lambda: tomorrow)
    assert len(smtp.to("victim@example.org")) == 5
    assert outcome.message in answers


def test_deleting_everything_keeps_the_suppression_of_an_address_that_bounced(
    mail_settings: Settings, store: Store, smtp: SmtpServer, corpus: list[str]
) -> None:
    settings = mail_settings.model_copy(update={"mail_suppress_after": 1})
    outcome = service.subscribe(
        settings, store, SubscriptionRequest(email="gone@example.org"), client="10.0.0.1"
    )
    jobs.deliver(settings, store, ids=outcome.outbox_ids)
    service.confirm(settings, store, token_of(link(smtp.to("gone@example.org")[-1], CONFIRM_LINK)))
    smtp.recorder.refuse["gone@example.org"] = "550 5.1.1 no such user"
    assert jobs.run_digests(settings, store, now=WEDNESDAY_8AM)[1].suppressed == 1

    gone = only_subscription(store)
    manage = service.tokens_for(settings).make("manage", gone.id, gone.nonce)
    assert service.delete_everything(settings, store, manage) == 1
    assert service.list_subscriptions(store) == []

    # The mailbox is back at the relay, but we still refuse to mail it: no confirmation.
    del smtp.recorder.refuse["gone@example.org"]
    smtp.clear()
    again = service.subscribe(
        settings, store, SubscriptionRequest(email="gone@example.org"), client="10.0.0.2"
    )
    assert again.outbox_ids == [] and again.message == outcome.message
    assert jobs.deliver(settings, store).sent == 0
    assert smtp.to("gone@example.org") == []

"""The Postfach messages of the generated cases (ZBP message_v6 fields).

An application's receipt, the authority's Rückfrage and its notice (`Mail`), and the
portal's own news to each account holder (`news`); from the citizen's seeded generator.
"""

from __future__ import annotations

import random

from sandbox.case_model import Application, Attachment, Message, new_id
from sandbox.case_texts import (
    ACTION_INFO,
    DAY,
    DEMO_PLANS,
    HOUR,
    MINUTE,
    NEWS,
    PORTAL_BY_ID,
    WINDOW_SECONDS,
    WINDOW_START,
)
from sandbox.citizens import Citizen
from sandbox.documents import attachment


class Mail:
    """The Postfach messages an application produces (ZBP message_v6 fields)."""

    def __init__(
        self, rng: random.Random, citizen: Citizen, app: Application, url: str, email: str
    ) -> None:
        self.rng, self.citizen, self.app, self.url, self.email = rng, citizen, app, url, email

    def _message(
        self,
        at: int,
        level: int,
        title: str,
        body: str,
        *,
        reply: bool = False,
        notice: bool = False,
        files: tuple[Attachment, ...] = (),
    ) -> Message:
        app = self.app
        greeting = f"<p>Guten Tag {self.citizen.display_name},</p>"
        return Message(
            new_id(self.rng),
            app.portal_id,
            self.citizen.legacy_postkorb_handle,
            level,
            app.sender,
            self.url,
            title,
            f"{greeting}<p>{body}</p><p>Mit freundlichen Grüßen<br>{app.sender}</p>",
            app.service_name,
            app.application_id,
            app.reference,
            self.email if reply else None,
            notice,
            at + self.rng.randint(MINUTE, 30 * MINUTE),
            None,
            files,
        )

    def receipt(self) -> Message:
        app = self.app
        body = f"Ihr Antrag „{app.service_name}“ ist unter dem Aktenzeichen {app.reference} eingegangen."
        files: tuple[Attachment, ...] = ()
        if self.rng.random() < 0.3:
            lines = ["Antragsübersicht", app.service_name, app.reference]
            files = (attachment(new_id(self.rng), "Antragsuebersicht.txt", lines),)
        return self._message(
            app.submitted_at, 1, f"Eingangsbestätigung: {app.service_name}", body, files=files
        )

    def request(self, at: int) -> Message:
        body = f"Zu Ihrem Antrag ({self.app.reference}) fehlen Unterlagen. {ACTION_INFO}"
        return self._message(
            at, 2, f"Rückfrage zu Ihrem Antrag: {self.app.service_name}", body, reply=True
        )

    def notice(self, at: int, level: int, outcome: str) -> Message:
        app = self.app
        kind = "Ablehnungsbescheid" if outcome == "REJECTED" else "Bescheid"
        body = (
            f"anbei erhalten Sie den {kind} zu Ihrem Antrag „{app.service_name}“ ({app.reference})."
        )
        lines = [
            app.sender,
            f"{kind} - {app.reference}",
            self.citizen.display_name,
            app.service_name,
        ]
        name = f"{kind}_{app.reference.removeprefix('Az. ').replace('/', '-')}.pdf"
        files = (attachment(new_id(self.rng), name, lines),)
        return self._message(
            at, level, f"{kind}: {app.service_name}", body, notice=True, files=files
        )


def news(rng: random.Random, citizen: Citizen, portal_id: str) -> list[Message]:
    portal = PORTAL_BY_ID[portal_id]
    demo = citizen.login in DEMO_PLANS
    count = 1 if demo else rng.choices(range(4), (35, 40, 17, 8))[0]
    since = int(next(a.since for a in citizen.accounts if a.portal_id == portal_id).timestamp())
    out = []
    for index in range(count):
        title, text = NEWS[index]
        at = since + 5 * MINUTE if index == 0 else WINDOW_START + rng.randrange(WINDOW_SECONDS)
        out.append(
            Message(
                new_id(rng),
                portal_id,
                citizen.legacy_postkorb_handle,
                1,
                portal.name,
                portal.website,
                title,
                f"<p>{text}</p>",
                "Servicekonto",
                None,
                None,
                None,
                False,
                at,
                at + rng.randint(HOUR, 3 * DAY),
                (),
            )
        )
    return out

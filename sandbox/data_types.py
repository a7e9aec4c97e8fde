"""Row types of the hand-written sandbox catalogue; `sandbox.data` composes JSON from them."""

from __future__ import annotations

from typing import NamedTuple

# Editorial levels a description can be written at: B(und), L(and), R, K(öln), D(ormagen).
# R is the NRW editorial office writing for a Kreis (Rhein-Kreis Neuss), which is how
# kreisangehörige towns inherit Kreis services.


class Spec(NamedTuple):
    """One LeiKa service, described at each of `levels` (letters B, L, R, K, D)."""

    key: str
    name: str
    keywords: str  # space-separated synonyms for the `q` search
    teaser: str
    text: str  # core of the Volltext (module 06)
    docs: str  # "|"-separated list for module 08
    pre: str  # module 09; "" = module missing
    # (cents, note) pairs; () = gebührenfrei; None = no module 98 at all
    fees: tuple[tuple[int, str], ...] | None
    deadline: str  # module 97; "" = placeholder "nicht angegeben"
    duration: str  # module 95; "" = module missing
    laws: str  # "|"-separated "title@path", path relative to gesetze-im-internet.de or a full URL
    ministry: str  # federal approver in module 93
    levels: str
    office: str  # role key looked up in the level's offices
    online: str = ""  # trust level of the online service: niedrig | substanziell | hoch; "" = none
    bund_url: str = ""  # nationwide online service, used at every level instead of a local one
    local_fee: bool = False  # municipalities set the amount themselves (statutes), so it varies


class Office(NamedTuple):
    """An Organisationseinheit; `roles` are the Spec.office keys it is responsible for."""

    level: str
    roles: str
    title: str
    street: str
    number: str
    zip: str
    city: str
    phone: str  # prefix; the seeded generator appends an extension
    email: str
    web: str
    hours: str


class Region(NamedTuple):
    ars: str
    name: str
    kind: str  # Bund | Land | Kreis | Kreisfreie Stadt | Stadt
    zips: str  # space-separated postal codes


class Portal(NamedTuple):
    id: str
    name: str
    tier: str
    ars: str
    website: str
    mandant: str  # PVOG Mandant prefix of the object IDs
    levels: str  # editorial levels this portal's server publishes
    editor: str  # who approves texts (module 93) below the federal level
    online_base: str  # where this portal's own online services live

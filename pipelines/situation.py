"""Per-capital situation state and the rules that turn signals into alerts.

This module is the one place to read the alerting rules, in plain Python:

* ``DistanceBands`` - the closest credible distance of hostile forces to the capital.
  **An alert fires when a credible claim puts hostile forces inside a band closer than
  the current one** (default bands 100/50/25/10/0 km). A *de-escalation* fires when a
  newer claim puts them beyond the current band by more than the hysteresis margin.
* ``TerritoryLedger`` - per place: held by, since, evidence. **An alert fires when a
  place of weight changes hands**; a *loss-rate* alert when one side's losses in a
  sliding window cross a count or population threshold.
* Claims weigh in through ``pipelines.claims``: a denial lowers confidence, never erases;
  distinct publishers corroborate. A change of status (claimed -> corroborated/disputed)
  of an announced band or place is announced as such.

Everything is pure and clock-injected (``now`` is an argument); the Beam job keeps one
``Situation`` per country in keyed state and calls ``observe``. Alert ids are derived
from facts only - situation, kind, level, the publication time that opened the episode,
status - so a replay of the same articles yields the same ids (however the state was
lost in between) and subscribers are never notified twice.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from connectors.wire import Alert, Evidence, Signal, stable_id
from pipelines.claims import ClaimWeights, Support, classify_claimant, confidence, gain_of, hostile_gain, status

SEVERITIES = ("info", "low", "medium", "high", "critical")


def _lower(severity: str, steps: int = 1) -> str:
    return SEVERITIES[max(0, SEVERITIES.index(severity) - steps)]


@dataclass(frozen=True)
class AlertPolicy:
    """Thresholds of the alerting rules (the job config's ``alerts:`` section)."""

    bands_km: tuple[float, ...] = (100, 50, 25, 10, 0)
    hysteresis: float = 0.2            # leave a band only beyond threshold * (1 + hysteresis)
    hysteresis_min_km: float = 2.0     # ... and at least this many km beyond it
    supersede_after: timedelta = timedelta(hours=6)  # a report this much newer may de-escalate
    max_age: timedelta = timedelta(days=3)           # older reports are recorded, never alert
    evidence_window: timedelta = timedelta(days=7)   # observations kept for support/corroboration
    weighty_population: int = 100_000
    loss_window: timedelta = timedelta(days=7)
    loss_count_levels: tuple[int, ...] = (3, 5, 10)
    loss_population_levels: tuple[int, ...] = (250_000, 1_000_000, 5_000_000)
    place_ttl: timedelta = timedelta(days=30)        # places nobody reports on are forgotten
    low_confidence: float = 0.5        # below it, severity goes one step down
    max_evidence: int = 8              # evidence entries carried per alert
    weights: ClaimWeights = field(default_factory=ClaimWeights)

    def band_for(self, km: float) -> float | None:
        """The closest band containing ``km`` (None: farther than the outermost band)."""
        inside = [b for b in self.bands_km if km <= b]
        return min(inside) if inside else None

    def margin(self, band: float) -> float:
        """How far beyond a band a claim must be to count as outside it (hysteresis)."""
        return max(band * self.hysteresis, self.hysteresis_min_km)

    @property
    def outer_band(self) -> float:
        return max(self.bands_km)


BAND_SEVERITY = {0: "critical", 10: "critical", 25: "high", 50: "medium"}


def band_severity(band: float) -> str:
    for threshold in sorted(BAND_SEVERITY):
        if band <= threshold:
            return BAND_SEVERITY[threshold]
    return "low"


def _span(window: timedelta) -> str:
    hours = window.total_seconds() / 3600
    return f"{hours / 24:g} days" if hours >= 48 else f"{hours:g} hours"


def _stamp(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


@dataclass(frozen=True)
class Observation:
    """One claim as the state keeps it (a compact copy of the signal)."""

    signal_id: str
    km: float | None
    stance: str
    claimed_by: str | None
    claimant_type: str
    publisher: str
    fingerprint: str
    published: datetime
    quote: str
    url: str | None
    stated: bool = False  # a distance the text states (not derived, not qualitative)

    @classmethod
    def of(cls, signal: Signal, km: float | None = None) -> "Observation":
        art = signal.article
        return cls(
            signal_id=signal.id, km=km, stance=signal.stance, claimed_by=signal.claimed_by,
            claimant_type=signal.claimant_type or classify_claimant(signal.claimed_by).value,
            publisher=art.publisher or "unknown", fingerprint=art.fingerprint or art.id,
            published=art.published, quote=signal.quote, url=art.url,
            stated=signal.kind == "distance" and not signal.derived)

    def evidence(self) -> Evidence:
        return Evidence(url=self.url, publisher=self.publisher, quote=self.quote,
                        claimed_by=self.claimed_by, stance=self.stance, published=self.published)


def support_of(asserted: list[Observation], denials: list[Observation]) -> Support:
    """Who stands behind a fact. A text belongs to the publisher that carried it first;
    others carrying the same text are copies, not independent corroboration."""
    first_publisher: dict[str, str] = {}
    for o in sorted(asserted, key=lambda o: (o.published, o.publisher)):
        first_publisher.setdefault(o.fingerprint, o.publisher)
    independent = len(set(first_publisher.values()))
    return Support(
        claimant_types=frozenset(o.claimant_type for o in asserted),
        independent_publishers=independent,
        copies=len({o.publisher for o in asserted}) - independent,
        denials=len({(d.publisher, d.claimed_by) for d in denials}),
    )


def effective_km(signal: Signal) -> float | None:
    """The distance a claim puts forces at, conservatively: "within 20" is 20, "15 to 20"
    is 20, "a little over 10" is 10."""
    if signal.km is not None:
        return signal.km
    if signal.max_km is not None:
        return signal.max_km
    return signal.min_km


def _evidence(observations: list[Observation], limit: int) -> list[Evidence]:
    """Distinct (publisher, quote) pairs: the closest distance first, stated distances
    before derived or qualitative ones, then the earliest."""
    ordered = sorted(observations, key=lambda o: (o.km if o.km is not None else float("inf"),
                                                  not o.stated, o.published, o.signal_id))
    seen, out = set(), []
    for o in ordered:
        if (o.publisher, o.quote) in seen:
            continue
        seen.add((o.publisher, o.quote))
        out.append(o.evidence())
    return out[:limit]


@dataclass
class DistanceBands:
    """The closest credible distance of hostile forces to one capital."""

    situation: str
    policy: AlertPolicy
    band: float | None = None                 # current band threshold (None: no band)
    observations: list[Observation] = field(default_factory=list)
    denials: list[Observation] = field(default_factory=list)
    superseded_before: datetime | None = None  # the last pushback: older reports no longer escalate
    announced_band: float | None = None       # the band subscribers were last told about
    announced_status: str | None = None

    def _in_band(self) -> list[Observation]:
        if self.band is None:
            return []
        return [o for o in self.observations if o.km is not None and o.km <= self.band
                and (self.superseded_before is None or o.published >= self.superseded_before)]

    def _denials(self) -> list[Observation]:
        """Denials that bear on the current band (a denial of "within 90 km" does not
        dispute a 5 km band)."""
        if self.band is None:
            return []
        reach = self.band + self.policy.margin(self.band)
        return [d for d in self.denials if d.km is None or d.km <= reach]

    def support(self) -> Support:
        return support_of(self._in_band(), self._denials())

    def closest_km(self) -> float | None:
        kms = [o.km for o in self._in_band()]
        return min(kms) if kms else None

    def observe(self, batch: list[Observation], now: datetime) -> list[Alert]:
        """Fold one article's claims in, then announce what changed: a de-escalation,
        a closer band (once per article, however many claims moved it), or a new status."""
        self.expire(now)
        alerts = [a for obs in batch if (a := self._apply(obs, now)) is not None]
        if self.band is None or not self._in_band():
            return alerts
        closer = self.announced_band is None or self.band < self.announced_band
        if closer or status(self.support()) != self.announced_status:
            alerts.append(self._crossing(self.announced_band, now))
        return alerts

    def _apply(self, obs: Observation, now: datetime) -> Alert | None:
        """Update the state with one claim; returns a de-escalation alert if it is one."""
        if obs.km is None or obs.stance == "historical":
            return None
        if obs.stance == "denied":
            self.denials.append(obs)
            return None
        if now - obs.published > self.policy.max_age:
            return None  # too old to alert on, and it cannot support a live band
        if self.superseded_before is not None and obs.published < self.superseded_before:
            return None  # older than the report that pushed the front back
        self.observations.append(obs)
        new_band = self.policy.band_for(obs.km)
        if new_band is not None and (self.band is None or new_band < self.band):
            self.band = new_band
        elif self.band is not None and self._beyond_hysteresis(obs):
            return self._de_escalate(obs, now)
        return None

    def _beyond_hysteresis(self, obs: Observation) -> bool:
        if obs.km <= self.band + self.policy.margin(self.band):
            return False
        newest_support = max((o.published for o in self._in_band()), default=None)
        return newest_support is None or obs.published >= newest_support + self.policy.supersede_after

    def _de_escalate(self, obs: Observation, now: datetime) -> Alert:
        previous = self.band
        self.band = self.announced_band = self.policy.band_for(obs.km)
        self.superseded_before = obs.published
        self.denials = [d for d in self.denials if d.published >= obs.published]
        self.announced_status = status(self.support()) if self.band is not None else None
        support = support_of([obs], [])
        return Alert(
            id=stable_id(self.situation, "de_escalation", str(previous), str(self.band), _stamp(obs.published)),
            kind="de_escalation", severity="info", confidence=confidence(support, self.policy.weights),
            status=status(support), situation=self.situation, subject=f"{previous:g} km band",
            previous={"band_km": previous}, current={"band_km": self.band, "km": obs.km},
            summary=f"{self.situation}: hostile forces reported back beyond the {previous:g} km band "
                    f"({obs.km:g} km)",
            evidence=[obs.evidence()], first_seen=obs.published, emitted_at=now)

    def _crossing(self, previous: float | None, now: datetime) -> Alert:
        in_band, denials = self._in_band(), self._denials()
        support = support_of(in_band, denials)
        conf = confidence(support, self.policy.weights)
        stat = status(support)
        self.announced_band, self.announced_status = self.band, stat
        severity = band_severity(self.band)
        if conf < self.policy.low_confidence:
            severity = _lower(severity)
        km = self.closest_km()
        prev_text = "no band" if previous is None else f"{previous:g} km"
        return Alert(
            id=stable_id(self.situation, "band_crossing", str(self.band), _stamp(self.superseded_before), stat),
            kind="band_crossing", severity=severity, confidence=conf, status=stat,
            situation=self.situation, subject=f"{self.band:g} km band",
            previous={"band_km": previous}, current={"band_km": self.band, "km": km},
            summary=f"{self.situation}: hostile forces within {self.band:g} km of the capital "
                    f"(closest reported {km:g} km; was {prev_text}; {stat})",
            evidence=_evidence(in_band + denials, self.policy.max_evidence),
            first_seen=min(o.published for o in in_band), emitted_at=now)

    def expire(self, now: datetime) -> None:
        horizon = now - self.policy.evidence_window
        self.observations = [o for o in self.observations if o.published >= horizon]
        self.denials = [d for d in self.denials if d.published >= horizon]


@dataclass
class PlaceControl:
    """Who holds a place, since when, on what evidence."""

    key: str
    name: str
    side: str | None = None       # "government" / "hostile" / None (unknown: status quo)
    held_by: str | None = None
    since: datetime | None = None  # publication time of the report of the last change
    last_seen: datetime | None = None
    weighty: bool = False
    announced_status: str | None = None  # None: this change was not announced
    evidence: list[Observation] = field(default_factory=list)
    denials: list[Observation] = field(default_factory=list)


@dataclass(frozen=True)
class Loss:
    place_key: str
    published: datetime
    population: int


@dataclass
class TerritoryLedger:
    """Per-place control for one situation, and the loss rate of each side."""

    situation: str
    policy: AlertPolicy
    country: str | None = None
    places: dict[str, PlaceControl] = field(default_factory=dict)
    losses: dict[str, list[Loss]] = field(default_factory=dict)  # side -> losses in window
    loss_level: dict[str, int] = field(default_factory=dict)     # side -> highest level announced

    def observe(self, signal: Signal, now: datetime, distance_to_capital: float | None) -> list[Alert]:
        if signal.kind != "territory" or signal.place is None or signal.stance == "historical":
            return []
        sides = gain_of(signal.event, signal.new_controller, signal.old_controller, self.country)
        if sides is None or signal.event not in ("captured", "recaptured", "lost", "withdrawn_from"):
            return []  # fighting and encirclement: the distance state's business, no change of hands
        key = place_key(signal)
        entry = self.places.setdefault(key, PlaceControl(key=key, name=signal.place.name or signal.place.mention))
        obs = Observation.of(signal)
        entry.last_seen = max(filter(None, [entry.last_seen, obs.published]))
        if signal.stance == "denied":
            entry.denials = (entry.denials + [obs])[-self.policy.max_evidence:]
            return self._status_change(entry, signal, now)
        gaining, losing = sides
        if entry.since is not None and obs.published < entry.since:
            entry.evidence = (entry.evidence + [obs])[-self.policy.max_evidence:]
            return []  # older than what the ledger already knows: history only
        previous_side = entry.side or "government"  # the status quo
        if gaining == previous_side:  # the same holder again: more evidence, no change
            entry.evidence = (entry.evidence + [obs])[-self.policy.max_evidence:]
            entry.held_by = signal.new_controller or entry.held_by
            entry.since = entry.since or obs.published
            return self._status_change(entry, signal, now)
        previous_holder = entry.held_by
        entry.side, entry.since, entry.evidence = gaining, obs.published, [obs]
        entry.denials = [d for d in entry.denials if d.published >= obs.published]
        entry.held_by = signal.new_controller or (
            "forces hostile to the government" if gaining == "hostile" else "government")
        entry.weighty = self.of_weight(signal, distance_to_capital)
        entry.announced_status = None
        if now - obs.published > self.policy.max_age:
            return []
        alerts = [self._change_alert(entry, previous_side, previous_holder, signal, now)] if entry.weighty else []
        return alerts + self._loss_rate(losing, signal, key, now)

    def of_weight(self, signal: Signal, distance_to_capital: float | None) -> bool:
        """A province, a national or provincial capital, a big city, or anything within the
        capital's outer band."""
        place = signal.place
        if place.is_national_capital or place.is_admin_capital or place.kind in ("province", "region"):
            return True
        if (place.population or 0) >= self.policy.weighty_population:
            return True
        return distance_to_capital is not None and distance_to_capital <= self.policy.outer_band

    def _status_change(self, entry: PlaceControl, signal: Signal, now: datetime) -> list[Alert]:
        """Re-announce an announced change whose status moved (corroborated, disputed)."""
        if entry.announced_status is None or not entry.evidence:
            return []
        if status(support_of(entry.evidence, entry.denials)) == entry.announced_status:
            return []
        return [self._change_alert(entry, entry.side, entry.held_by, signal, now)]

    def _change_alert(self, entry: PlaceControl, previous_side: str | None, previous_holder: str | None,
                      signal: Signal, now: datetime) -> Alert:
        support = support_of(entry.evidence, entry.denials)
        conf = confidence(support, self.policy.weights)
        stat = entry.announced_status = status(support)
        place = signal.place
        if place.is_national_capital:
            severity = "critical"
        elif place.is_admin_capital or place.kind in ("province", "region") or (place.population or 0) >= 1_000_000:
            severity = "high"
        else:
            severity = "medium"
        if conf < self.policy.low_confidence:
            severity = _lower(severity)
        verb = {"hostile": "lost by the government", "government": "retaken by the government"}[entry.side]
        return Alert(
            id=stable_id(self.situation, "territory_change", entry.key, entry.side, _stamp(entry.since), stat),
            kind="territory_change", severity=severity, confidence=conf, status=stat,
            situation=self.situation, subject=entry.name,
            previous={"side": previous_side, "held_by": previous_holder},
            current={"side": entry.side, "held_by": entry.held_by, "event": signal.event,
                     "place": place.model_dump(exclude_none=True)},
            summary=f"{self.situation}: {entry.name} {verb} ({signal.event}; {stat})",
            evidence=_evidence(entry.evidence + entry.denials, self.policy.max_evidence),
            first_seen=entry.since, emitted_at=now)

    def _loss_rate(self, side: str, signal: Signal, key: str, now: datetime) -> list[Alert]:
        """Losses of resolved places (settlements, provinces) by ``side`` in the window."""
        window = [x for x in self.losses.get(side, []) if x.published >= now - self.policy.loss_window]
        if not window:
            self.loss_level[side] = 0
        place = signal.place
        if (place.geonameid or place.admin1) and all(x.place_key != key for x in window):
            window.append(Loss(key, signal.article.published, place.population or 0))
        self.losses[side] = window
        count = len(window)
        population = sum(x.population for x in window)
        level = max(sum(count >= c for c in self.policy.loss_count_levels),
                    sum(population >= p for p in self.policy.loss_population_levels))
        previous = self.loss_level.get(side, 0)
        if level <= previous:
            return []
        self.loss_level[side] = level
        lost = [self.places[x.place_key] for x in window if x.place_key in self.places]
        support = support_of([o for e in lost for o in e.evidence], [d for e in lost for d in e.denials])
        opened = min(x.published for x in window)
        return [Alert(
            id=stable_id(self.situation, "loss_rate", side, str(level), _stamp(opened)),
            kind="loss_rate", severity=("medium", "high", "critical")[min(level, 3) - 1],
            confidence=confidence(support, self.policy.weights), status=status(support),
            situation=self.situation, subject=f"{side} losses",
            previous={"level": previous}, current={"level": level, "places": count, "population": population,
                                                    "window_hours": self.policy.loss_window.total_seconds() / 3600},
            summary=f"{self.situation}: {side} side lost {count} places ({population:,} people) within "
                    f"{_span(self.policy.loss_window)}: {', '.join(e.name for e in lost)}",
            evidence=[e.evidence[-1].evidence() for e in lost if e.evidence][: self.policy.max_evidence],
            first_seen=opened, emitted_at=now)]

    def expire(self, now: datetime) -> None:
        """Forget places nobody reported on for ``place_ttl`` (bounded state)."""
        horizon = now - self.policy.place_ttl
        for key in [k for k, v in self.places.items() if v.last_seen is None or v.last_seen < horizon]:
            del self.places[key]
        for side, losses in self.losses.items():
            self.losses[side] = [x for x in losses if x.published >= now - self.policy.loss_window]


def place_key(signal: Signal) -> str:
    place = signal.place
    if place.geonameid:
        return f"gn:{place.geonameid}"
    return "name:" + " ".join(place.mention.lower().split())


HOUSEKEEPING_EVERY = timedelta(hours=1)


@dataclass
class Situation:
    """Everything frontwatch knows about one country's capital."""

    key: str                      # how alerts name it, e.g. "SY:Damascus"
    country: str                  # ISO2: the state key
    capital: str | None
    policy: AlertPolicy = field(default_factory=AlertPolicy)
    bands: DistanceBands = None   # type: ignore[assignment]
    ledger: TerritoryLedger = None  # type: ignore[assignment]
    context: list[dict] = field(default_factory=list)  # recent casualties and deployments
    last_seen: datetime | None = None
    last_housekeeping: datetime | None = None

    @classmethod
    def open(cls, country: str, signals: list[Signal], policy: AlertPolicy) -> "Situation":
        """A new, empty situation for ``country``, named after its capital (``SY:Damascus``)."""
        capital = next((s.capital for s in signals if s.capital and s.capital.name), None)
        label = f"{country}:{capital.name}" if capital else country
        return cls(key=label, country=country, capital=capital.name if capital else None, policy=policy)

    def __post_init__(self) -> None:
        if self.bands is None:
            self.bands = DistanceBands(self.key, self.policy)
        if self.ledger is None:
            self.ledger = TerritoryLedger(self.key, self.policy, self.country)

    def observe(self, signals: list[Signal] | Signal, now: datetime) -> list[Alert]:
        """Fold one article's signals into the state; return the alerts they trigger
        (often none; at most one band crossing per article)."""
        self._housekeeping(now)
        batch = [signals] if isinstance(signals, Signal) else list(signals)
        distance_claims: list[Observation] = []
        alerts: list[Alert] = []
        for signal in batch:
            self.last_seen = max(filter(None, [self.last_seen, signal.article.published]))
            if signal.kind == "distance" and self._is_capital(signal):
                distance_claims.append(Observation.of(signal, effective_km(signal)))
            elif signal.kind == "territory":
                if self._is_capital(signal) and (km := self.qualitative_km(signal)) is not None:
                    distance_claims.append(Observation.of(signal, km))
                alerts += self.ledger.observe(signal, now, signal.capital_km)
            elif signal.kind in ("casualties", "deployment"):
                self.context = (self.context + [_context_entry(signal)])[-10:]
        alerts = self.bands.observe(distance_claims, now) + _last_loss_rate_only(alerts)
        extra = {"country": self.country}
        if self.context:
            extra["context"] = {"recent": self.context[-5:]}
        return [a.model_copy(update=extra) for a in alerts]

    def _is_capital(self, signal: Signal) -> bool:
        """Is the signal's place this situation's capital itself (not its province or
        countryside, which may share its name)?"""
        place = signal.place
        if place is None or not place.is_national_capital or place.kind in ("province", "region", "other"):
            return False
        return place.country in (None, self.country)

    QUALITATIVE_KM = {"encircled": 10.0, "contested": 0.0, "captured": 0.0, "recaptured": 0.0,
                      "lost": 0.0, "withdrawn_from": 0.0}

    def qualitative_km(self, signal: Signal) -> float | None:
        """Documented band for an event at the capital itself, when hostile forces gain:
        encircling the capital puts them within 10 km; entering, fighting in or taking it
        (or the government leaving it) at 0. A government recapture is no approach."""
        if not hostile_gain(signal.event, signal.new_controller, signal.old_controller, self.country):
            return None
        return self.QUALITATIVE_KM.get(signal.event or "")

    def _housekeeping(self, now: datetime) -> None:
        """Bounded state: expire old evidence and forgotten places, at most hourly."""
        if self.last_housekeeping and now - self.last_housekeeping < HOUSEKEEPING_EVERY:
            return
        self.last_housekeeping = now
        self.expire(now)

    def expire(self, now: datetime) -> None:
        self.ledger.expire(now)
        self.bands.expire(now)

    @property
    def empty(self) -> bool:
        return not self.ledger.places and self.bands.band is None and not self.bands.observations


def _last_loss_rate_only(alerts: list[Alert]) -> list[Alert]:
    """One article may cross several loss-rate levels: announce only the highest."""
    loss = [a for a in alerts if a.kind == "loss_rate"]
    return [a for a in alerts if a.kind != "loss_rate"] + loss[-1:]


def _context_entry(signal: Signal) -> dict:
    return {"kind": signal.kind, "count": signal.count, "actor": signal.actor,
            "place": signal.place.mention if signal.place else None, "quote": signal.quote,
            "published": signal.article.published.isoformat() if signal.article.published else None}

"""The alerting rules, on the pure state objects with an injected clock."""
from __future__ import annotations

from datetime import timedelta

import pytest

from pipelines.situation import AlertPolicy, Situation
from tests.pipelines.factories import CAPITAL, T0, signal, town

NOW = T0 + timedelta(minutes=5)


def new_situation(**policy) -> Situation:
    return Situation(key="XX:Carthago", country="XX", capital="Carthago",
                     policy=AlertPolicy(**policy))


def feed(situation: Situation, *signals, now=NOW):
    alerts = []
    for s in signals:
        alerts += situation.observe(s, now)
    return alerts


@pytest.mark.parametrize("claim, band", [
    (dict(km=120), None),
    (dict(km=100), 100),
    (dict(km=60), 100),
    (dict(km=20, max_km=20), 25),
    (dict(km=None, min_km=12, max_km=15), 25),
    (dict(km=None, min_km=20, max_km=30), 50),
    (dict(km=8), 10),
    (dict(km=0), 0),
])
def test_band_of_a_single_claim(claim, band):
    situation = new_situation()
    alerts = feed(situation, signal(**claim))
    assert situation.bands.band == band
    assert [a.kind for a in alerts] == ([] if band is None else ["band_crossing"])
    if band is not None:
        assert alerts[0].current["band_km"] == band
        assert alerts[0].previous["band_km"] is None


def test_entering_closer_bands_alerts_each_time_and_farther_claims_do_not():
    situation = new_situation()
    alerts = feed(situation, signal(km=80), signal(km=45, publisher="b.org"),
                  signal(km=48, publisher="c.org"), signal(km=20, publisher="d.org"))
    assert [(a.previous["band_km"], a.current["band_km"]) for a in alerts if a.kind == "band_crossing"
            and a.current["band_km"] != a.previous["band_km"]] == [(None, 100), (100, 50), (50, 25)]


def test_alert_ids_are_deterministic_across_replays():
    claims = [signal(km=40), signal(km=9, publisher="b.org", published=T0 + timedelta(hours=1))]
    first = feed(new_situation(), *claims)
    second = feed(new_situation(), *claims, now=NOW + timedelta(hours=2))
    assert [a.id for a in first] == [a.id for a in second]
    assert len({a.id for a in first}) == len(first)


def test_denial_lowers_confidence_and_marks_disputed_without_erasing():
    situation = new_situation()
    [claimed] = feed(situation, signal(km=20, claimed_by="rebel commander"))
    alerts = feed(situation, signal(km=20, stance="denied", claimed_by="the Ministry of Defence",
                                    publisher="gov.example"))
    assert situation.bands.band == 25  # the claim stands
    assert [a.status for a in alerts] == ["disputed"]
    assert alerts[0].confidence < claimed.confidence
    assert alerts[0].id != claimed.id
    assert {e.stance for e in alerts[0].evidence} == {"asserted", "denied"}


def test_corroboration_by_independent_publishers_raises_confidence():
    situation = new_situation()
    [claimed] = feed(situation, signal(km=20, claimed_by="rebel commander"))
    assert claimed.status == "claimed"
    [upgraded] = feed(situation, signal(km=18, claimed_by="rebel commander", publisher="other.org"))
    assert upgraded.status == "corroborated"
    assert upgraded.confidence > claimed.confidence
    assert upgraded.current["km"] == 18


def test_wire_copies_do_not_count_as_independent():
    situation = new_situation()
    feed(situation, signal(km=20, claimed_by="rebel commander", fingerprint="same-text"))
    alerts = feed(situation, signal(km=20, claimed_by="rebel commander", publisher="copy.org",
                                    fingerprint="same-text"))
    assert alerts == []  # still "claimed": one text, two publishers
    support = situation.bands.support()
    assert support.independent_publishers == 1 and support.copies == 1


def test_de_escalation_needs_a_newer_report_beyond_the_hysteresis_margin():
    situation = new_situation()
    feed(situation, signal(km=20))
    later = T0 + timedelta(hours=12)
    assert feed(situation, signal(km=28, publisher="b.org", published=later), now=later) == []  # inside margin
    assert situation.bands.band == 25
    same_time = feed(situation, signal(km=60, publisher="c.org", published=T0 + timedelta(hours=1)),
                     now=later)
    assert same_time == []  # not newer by supersede_after: another front, not a pushback
    [alert] = feed(situation, signal(km=60, publisher="d.org", published=later), now=later)
    assert alert.kind == "de_escalation" and alert.previous["band_km"] == 25 and alert.current["band_km"] == 100


def test_no_flapping_and_re_entry_after_de_escalation_is_a_new_episode():
    situation = new_situation()
    [first] = feed(situation, signal(km=24))
    t1, t2 = T0 + timedelta(hours=12), T0 + timedelta(hours=24)
    feed(situation, signal(km=26, publisher="b.org", published=t1), now=t1)  # jitter around 25: nothing
    assert situation.bands.band == 25
    [down] = feed(situation, signal(km=40, publisher="c.org", published=t1), now=t1)
    assert down.kind == "de_escalation"
    [again] = feed(situation, signal(km=22, publisher="d.org", published=t2), now=t2)
    assert again.kind == "band_crossing" and again.current["band_km"] == 25
    assert again.id != first.id


def test_late_article_older_than_a_pushback_does_not_re_escalate():
    situation = new_situation()
    feed(situation, signal(km=20))
    t1 = T0 + timedelta(hours=12)
    feed(situation, signal(km=60, publisher="b.org", published=t1), now=t1)
    late = feed(situation, signal(km=15, publisher="c.org", published=T0 + timedelta(hours=2)), now=t1)
    assert late == [] and situation.bands.band == 100


def test_too_old_and_historical_claims_never_alert():
    situation = new_situation()
    assert feed(situation, signal(km=5, published=T0 - timedelta(days=10))) == []
    assert feed(situation, signal(km=5, stance="historical")) == []
    assert situation.bands.band is None


def test_qualitative_events_at_the_capital_map_to_documented_bands():
    situation = new_situation()
    [alert] = feed(situation, signal("territory", event="encircled", place=CAPITAL))
    assert alert.current["band_km"] == 10
    [inside] = feed(situation, signal("territory", event="contested", place=CAPITAL, publisher="b.org",
                                     claimed_by="a war monitor"))
    assert inside.current["band_km"] == 0 and inside.severity == "critical"


@pytest.mark.parametrize("place, capital_km, alerts", [
    (town("Bigtown", 11, population=400_000), 300.0, True),    # a big city
    (town("Provincia", 12, kind="province"), 300.0, True),     # a province
    (town("Seat", 13, is_admin_capital=True), 300.0, True),    # a provincial capital
    (town("Hamlet", 14, population=900), 60.0, True),          # inside the outer band
    (town("Hamlet", 15, population=900), 300.0, False),        # small and far: ledger only
])
def test_territory_alert_only_for_places_of_weight(place, capital_km, alerts):
    situation = new_situation(loss_population_levels=(10**9,))
    out = feed(situation, signal("territory", event="captured", place=place, new_controller="rebels",
                                 capital_km=capital_km))
    assert [a.kind for a in out] == (["territory_change"] if alerts else [])
    assert situation.ledger.places[f"gn:{place.geonameid}"].side == "hostile"


def test_territory_change_of_hands_and_back():
    situation = new_situation(loss_population_levels=(10**9,))
    city = town("Bigtown", 21, population=500_000)
    [lost] = feed(situation, signal("territory", event="lost", place=city, old_controller="government forces",
                                    capital_km=200))
    assert lost.current["side"] == "hostile" and lost.previous["side"] == "government"
    [confirmed] = feed(situation, signal("territory", event="captured", place=city, new_controller="rebels",
                                         publisher="b.org", capital_km=200))  # same holder: evidence
    assert confirmed.status == "corroborated" and confirmed.current["side"] == "hostile"
    assert confirmed.id != lost.id and confirmed.confidence > lost.confidence
    assert feed(situation, signal("territory", event="captured", place=city, new_controller="rebels",
                                  publisher="c.org", capital_km=200)) == []  # nothing new to say
    t1 = T0 + timedelta(days=1)
    [back] = feed(situation, signal("territory", event="recaptured", place=city, new_controller="the army",
                                    published=t1, capital_km=200), now=t1)
    assert back.current["side"] == "government" and back.id != lost.id


def test_loss_rate_alert_when_losses_in_window_cross_a_count_level():
    situation = new_situation(loss_count_levels=(3,), loss_population_levels=(10**9,))
    kinds = []
    for i in range(3):
        kinds += [a.kind for a in feed(situation, signal(
            "territory", event="captured", place=town(f"T{i}", 100 + i, population=1000),
            new_controller="rebels", capital_km=500, publisher=f"p{i}.org"))]
    assert kinds == ["loss_rate"]
    assert situation.ledger.loss_level["government"] == 1


def test_losses_outside_the_window_do_not_count():
    situation = new_situation(loss_count_levels=(2,), loss_population_levels=(10**9,))
    t_late = T0 + timedelta(days=10)
    feed(situation, signal("territory", event="captured", place=town("A", 201, population=1000),
                           new_controller="rebels", capital_km=500))
    out = feed(situation, signal("territory", event="captured", place=town("B", 202, population=1000),
                                 new_controller="rebels", capital_km=500, published=t_late), now=t_late)
    assert [a.kind for a in out] == []


def test_denied_capture_is_recorded_not_applied():
    situation = new_situation()
    city = town("Bigtown", 31, population=500_000)
    out = feed(situation, signal("territory", event="captured", place=city, new_controller="rebels",
                                 stance="denied", claimed_by="government spokesman"))
    assert out == [] and situation.ledger.places["gn:31"].side is None
    assert len(situation.ledger.places["gn:31"].denials) == 1


def test_casualties_and_deployments_ride_along_as_context():
    situation = new_situation()
    feed(situation, signal("casualties", count=7, place=town("Vicus", 41)))
    [alert] = feed(situation, signal(km=20))
    assert alert.context["recent"][0]["count"] == 7


def test_alerts_carry_the_country_subscribers_filter_on():
    alerts = feed(new_situation(), signal(km=20))
    assert [a.country for a in alerts] == ["XX"]


def test_ids_come_from_facts_so_a_new_event_after_lost_state_is_not_mistaken_for_an_old_one():
    city = town("Bigtown", 51, population=500_000)
    t1, t2 = T0 + timedelta(days=1), T0 + timedelta(days=5)
    events = [signal("territory", event="lost", place=city, old_controller="the army", capital_km=300),
              signal("territory", event="recaptured", place=city, new_controller="the army", capital_km=300,
                     published=t1),
              signal("territory", event="lost", place=city, old_controller="the army", capital_km=300,
                     published=t2)]
    full = new_situation(loss_population_levels=(10**9,))
    ids = [a.id for e in events for a in full.observe(e, e.article.published + timedelta(minutes=5))]
    assert len(ids) == len(set(ids)) == 3
    restarted = new_situation(loss_population_levels=(10**9,))  # state lost; replay from the recapture on
    replayed = [a.id for e in events[1:] for a in restarted.observe(e, e.article.published + timedelta(minutes=5))]
    assert replayed == [ids[2]]  # the recapture is the status quo for a fresh ledger; the new loss is new


def test_a_government_recapture_of_the_capital_is_no_approach():
    situation = new_situation()
    assert feed(situation, signal("territory", event="captured", place=CAPITAL, new_controller="the army")) == []
    assert situation.bands.band is None
    taken = feed(situation, signal("territory", event="captured", place=CAPITAL, new_controller="rebels",
                                   publisher="b.org"))
    assert {"band_crossing", "territory_change"} <= {a.kind for a in taken}
    assert next(a for a in taken if a.kind == "band_crossing").current["band_km"] == 0
    assert next(a for a in taken if a.kind == "territory_change").severity in ("critical", "high")


def test_a_denial_in_the_same_article_as_the_claim_is_kept():
    situation = new_situation(loss_population_levels=(10**9,))
    city = town("Bigtown", 61, population=500_000)
    [alert] = situation.observe([
        signal("territory", event="captured", place=city, new_controller="the army", stance="denied",
               claimed_by="a rebel spokesman", capital_km=300),
        signal("territory", event="lost", place=city, old_controller="the army", claimed_by="a war monitor",
               capital_km=300)], NOW)
    assert alert.status == "disputed"


def test_a_denial_after_an_announced_change_disputes_it():
    situation = new_situation(loss_population_levels=(10**9,))
    city = town("Bigtown", 62, population=500_000)
    [lost] = feed(situation, signal("territory", event="lost", place=city, old_controller="the army",
                                    capital_km=300))
    [disputed] = feed(situation, signal("territory", event="lost", place=city, old_controller="the army",
                                        stance="denied", claimed_by="the defence ministry", publisher="gov.example",
                                        capital_km=300))
    assert (lost.status, disputed.status) == ("claimed", "disputed")
    assert disputed.confidence < lost.confidence and disputed.current["side"] == "hostile"


def test_a_denial_of_a_farther_distance_does_not_dispute_a_closer_band():
    situation = new_situation()
    feed(situation, signal(km=5, claimed_by="a war monitor"))
    out = feed(situation, signal(km=90, stance="denied", claimed_by="the army", publisher="gov.example"))
    assert out == [] and situation.bands.support().denials == 0


def test_a_wire_copy_of_an_updated_story_is_not_independent():
    situation = new_situation()
    feed(situation, signal(km=20, publisher="a.org", fingerprint="text-1", claimed_by="rebel commander"))
    feed(situation, signal(km=20, publisher="a.org", fingerprint="text-2", claimed_by="rebel commander",
                           published=T0 + timedelta(minutes=30)))  # the outlet updated its story
    out = feed(situation, signal(km=20, publisher="copy.org", fingerprint="text-1", claimed_by="rebel commander",
                                 published=T0 + timedelta(minutes=40)))
    assert out == [] and situation.bands.support().independent_publishers == 1


def test_places_nobody_reports_on_are_forgotten():
    situation = new_situation(place_ttl=timedelta(days=2))
    feed(situation, signal("territory", event="captured", place=town("Hamlet", 71, population=900),
                           new_controller="rebels", stance="denied", capital_km=300))
    assert len(situation.ledger.places) == 1
    later = T0 + timedelta(days=3)
    feed(situation, signal(km=80, published=later), now=later)
    assert situation.ledger.places == {}

"""A synthetic but realistic news corpus for benchmarks: articles of 300-8000 characters
mixing signal sentences (distances, captures, denials, casualties, deployments) with the
background prose that makes up most of real reporting. Deterministic for a given seed."""
from __future__ import annotations

import random

PLACES = [("Ukraine", "Kyiv", ["Pokrovsk", "Kharkiv", "Bakhmut", "Vuhledar", "Kupiansk", "Hostomel"]),
          ("Sudan", "Khartoum", ["Wad Madani", "El Fasher", "Omdurman", "Sennar", "El Obeid"]),
          ("Syria", "Damascus", ["Homs", "Hama", "Aleppo", "Daraa", "Idlib"]),
          ("Myanmar", "Naypyidaw", ["Lashio", "Laukkai", "Myawaddy", "Sittwe"]),
          ("Democratic Republic of Congo", "Kinshasa", ["Goma", "Bukavu", "Sake", "Minova"]),
          ("Yemen", "Sanaa", ["Marib", "Hodeidah", "Taiz", "Aden"]),
          ("Mali", "Bamako", ["Timbuktu", "Gao", "Kidal", "Mopti"])]
FORCES = ["rebels", "government forces", "the army", "militants", "paramilitary fighters", "insurgents"]
SIGNALS = [
    "{force} are now within {n} kilometres of {capital}, a commander said.",
    "{force} seized {town} on {day}, according to local officials.",
    "The army said it had recaptured {town} after heavy fighting.",
    "Fighting raged in {town} overnight, residents said.",
    "{town}, about {n} miles from {capital}, fell to {force} last week.",
    "The ministry denied that {force} had captured {town}.",
    "At least {k} civilians were killed in air strikes near {town}.",
    "The government has deployed {k00} troops to {town}.",
    "Government troops withdrew from villages some {n} to {m} km from {capital}.",
    "{force} have surrounded {town}, cutting off supplies.",
]
BACKGROUND = [
    "The conflict has displaced millions of people and left much of the country in ruins.",
    "Aid agencies have repeatedly warned of famine in several regions.",
    "Diplomats from neighbouring countries met on {day} to discuss a possible ceasefire.",
    "Prices of bread and fuel have tripled since the start of the year, traders said.",
    "The United Nations said it was deeply concerned by reports of abuses against civilians.",
    "Talks brokered by regional powers collapsed in the spring without agreement.",
    "Analysts say neither side appears able to win a decisive military victory.",
    "Electricity and internet services have been cut in many districts for weeks.",
    "The president addressed the nation in a televised speech on {day} evening.",
    "Schools in the region have remained closed since the fighting began.",
    "{country}'s economy has contracted sharply, according to the World Bank.",
    "Human rights groups have called for an independent investigation.",
]
# Share of sentences carrying a signal: denser than a general news feed, sparser than
# hand-picked escalation reports (where a third of sentences may carry one).
SIGNAL_SHARE = 0.1
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def article(rng: random.Random, target_chars: int) -> str:
    country, capital, towns = rng.choice(PLACES)
    sentences: list[str] = []
    while sum(len(s) + 1 for s in sentences) < target_chars:
        template = rng.choice(SIGNALS) if rng.random() < SIGNAL_SHARE else rng.choice(BACKGROUND)
        n = rng.randint(5, 120)
        s = template.format(force=rng.choice(FORCES), capital=capital, town=rng.choice(towns),
                            day=rng.choice(DAYS), n=n, m=n + rng.randint(3, 20), k=rng.randint(2, 90),
                            k00=rng.randint(2, 40) * 100, country=country)
        sentences.append(s[0].upper() + s[1:])
    return " ".join(sentences)


def corpus(size: int, seed: int = 7) -> list[str]:
    """``size`` articles with lengths spread log-uniformly between 300 and 8000 characters."""
    rng = random.Random(seed)
    return [article(rng, int(300 * (8000 / 300) ** rng.random())) for _ in range(size)]

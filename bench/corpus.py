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
    "{force} are now within {n} kilometres of {capital}, a commander told reporters on {day}, adding that "
    "the advance would continue until the government agreed to talks.",
    "{force} seized {town} on {day} after two days of heavy clashes, according to local officials and "
    "residents reached by telephone, who said the streets were largely deserted.",
    "The army said in a statement that it had recaptured {town} after heavy fighting and was clearing the "
    "surrounding villages of mines and booby traps left behind by retreating fighters.",
    "Fighting raged in {town} overnight, residents said, with the sound of artillery and machine-gun fire "
    "heard until dawn across several districts of the city.",
    "{town}, about {n} miles from {capital}, fell to {force} last week, a blow to the government that had "
    "vowed to hold the strategic crossroads at any cost.",
    "The defence ministry denied that {force} had captured {town}, calling the reports on social media "
    "part of a campaign of disinformation aimed at sowing panic.",
    "At least {k} civilians were killed in air strikes near {town} on {day}, medical sources said, and "
    "dozens more were wounded and taken to overstretched hospitals.",
    "The government has deployed {k00} troops to {town} to shore up its defences, state television "
    "reported, showing footage of armoured vehicles moving along the main highway.",
    "Government troops withdrew from villages some {n} to {m} km from {capital}, the monitoring group "
    "said, as the front line moved closer to the outskirts of the city.",
    "{force} have surrounded {town}, cutting off supplies of food and fuel to tens of thousands of people "
    "trapped inside, aid agencies said on {day}.",
]
BACKGROUND = [
    "The conflict has displaced millions of people and left much of the country in ruins, with "
    "humanitarian agencies warning that funding for relief operations is running out.",
    "Aid agencies have repeatedly warned of famine in several regions, where harvests have failed and "
    "markets have been cut off from the rest of the country for months.",
    "Diplomats from neighbouring countries met on {day} to discuss a possible ceasefire, but officials "
    "familiar with the talks said there had been little progress on the main issues.",
    "Prices of bread and fuel have tripled since the start of the year, traders said, and many families "
    "now survive on a single meal a day.",
    "The United Nations said it was deeply concerned by reports of abuses against civilians and called on "
    "all parties to respect international humanitarian law.",
    "Talks brokered by regional powers collapsed in the spring without agreement, and both sides have "
    "since accused each other of preparing for a new offensive.",
    "Analysts say neither side appears able to win a decisive military victory, and that outside "
    "support will determine how long the fighting can continue.",
    "Electricity and internet services have been cut in many districts for weeks, making it difficult "
    "to verify accounts from the areas most affected by the violence.",
    "The president addressed the nation in a televised speech on {day} evening, promising that the "
    "state would defend every city and village against what he called foreign-backed terrorists.",
    "Schools in the region have remained closed since the fighting began, and teachers say many pupils "
    "have left with their families for safer areas.",
    "{country}'s economy has contracted sharply, according to the World Bank, which estimates that "
    "output has fallen by more than a third since the war began.",
    "Human rights groups have called for an independent investigation into the killings, saying that "
    "those responsible must be held to account.",
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

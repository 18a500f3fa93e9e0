"""The sample Rencontre: a short French debate written for this project.

Theme: local food for a metropolis in 2040. A facilitator, a market gardener, a geographer,
and a question from the room. Each voice is an espeak-ng French voice with its own variant,
pitch and speed, so the transcription and sync stages have distinct, known speakers. The
speeds (120-130 espeak words per minute, about 14-15 characters per second) are those of a
speaker addressing a room; espeak's default rate is faster than any subtitle can follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Voice:
    key: str
    name: str
    role: str
    organisation: str | None
    espeak_voice: str
    pitch: int
    words_per_minute: int
    gain: float


@dataclass(frozen=True)
class Line:
    speaker: str
    text: str
    pause_after: float = 0.8
    applause_after: float = 0.0
    """Seconds of applause after the line (and its pause)."""


CAST: dict[str, Voice] = {
    v.key: v
    for v in (
        Voice(
            "facilitator",
            "Claire Martin",
            "animatrice",
            "Agence d'urbanisme de la Métropole",
            "fr+f2",
            55,
            130,
            0.55,
        ),
        Voice(
            "gardener",
            "Jacques Dubois",
            "maraîcher",
            "Ferme des Trois Rivières",
            "fr+m3",
            38,
            120,
            0.60,
        ),
        Voice(
            "geographer",
            "Nadia Benali",
            "géographe, chercheuse",
            "Université de la Métropole",
            "fr+f4",
            62,
            130,
            0.50,
        ),
        Voice("room", "Une participante", "question de la salle", None, "fr+f1", 48, 125, 0.40),
    )
}

THEME = "Alimentation et agriculture de proximité"
TITLE = "Manger local en 2040 : quelle agriculture pour nourrir la métropole ?"
CYCLE = "Les Rencontres de la prospective"
PLACE = "Hôtel de la Métropole, salle du Conseil"
GLOSSARY_PLACES = ["Monts du Lyonnais", "Val de Saône", "plaine de l'Est"]
GLOSSARY_ACRONYMS = ["PAT", "AMAP", "SCoT", "Egalim"]

TINY_SCRIPT: tuple[Line, ...] = (
    Line(
        "facilitator",
        "Bonsoir à tous, bienvenue à cette Rencontre sur l'alimentation locale.",
        pause_after=0.5,
        applause_after=1.2,
    ),
    Line("gardener", "Sur ma ferme, nous vendons tout à moins de trente kilomètres.", 0.7),
    Line("geographer", "Le projet alimentaire relie la ville et ses campagnes.", 0.8),
    Line("room", "Et les prix, pour les familles modestes ?", 0.6),
)

DEMO_SCRIPT: tuple[Line, ...] = (
    Line(
        "facilitator",
        "Bonsoir à toutes et à tous, et bienvenue à cette deuxième Rencontre de la prospective.",
        0.6,
    ),
    Line(
        "facilitator",
        "Ce soir, nous parlons d'alimentation : que mangerons-nous en 2040, et qui le produira ?",
        0.5,
        applause_after=2.5,
    ),
    Line(
        "facilitator",
        "Pour en débattre, Jacques Dubois, maraîcher dans les Monts du "
        "Lyonnais, et Nadia Benali, géographe à l'université.",
        1.0,
    ),
    Line(
        "facilitator",
        "Jacques Dubois, commençons par vous. Comment vendez-vous vos légumes aujourd'hui ?",
        0.9,
    ),
    Line(
        "gardener",
        "Nous cultivons quatre hectares. Tout part à moins de trente "
        "kilomètres : une AMAP, deux marchés, et la cantine du collège.",
        0.7,
    ),
    Line(
        "gardener",
        "La cantine, c'est nouveau. Avec la loi Egalim, les cuisiniers "
        "cherchent des produits locaux, mais il faut des volumes réguliers.",
        0.6,
    ),
    Line(
        "gardener",
        "Le vrai problème, c'est le foncier. Chaque année, des terres partent en lotissements.",
        1.0,
    ),
    Line("facilitator", "Nadia Benali, la métropole peut-elle se nourrir elle-même ?", 0.8),
    Line(
        "geographer",
        "Pas entièrement, et ce n'est pas le but. Aujourd'hui, moins de cinq "
        "pour cent de ce que nous mangeons vient du territoire.",
        0.6,
    ),
    Line(
        "geographer",
        "Le projet alimentaire territorial, le PAT, fixe un objectif plus "
        "modeste : doubler cette part d'ici 2040.",
        0.6,
    ),
    Line(
        "geographer",
        "Pour cela, il faut protéger les terres dans le SCoT, et organiser "
        "la logistique entre les fermes et la ville.",
        1.1,
    ),
    Line(
        "facilitator",
        "Jacques, doubler la part locale, est-ce réaliste pour les producteurs ?",
        0.7,
    ),
    Line(
        "gardener",
        "Oui, si on nous aide à nous installer. Beaucoup de jeunes veulent "
        "devenir paysans, mais ils ne trouvent ni terre ni logement.",
        0.6,
    ),
    Line(
        "gardener",
        "Et il faut des outils partagés : une légumerie, un quai de livraison, "
        "des chambres froides.",
        1.0,
    ),
    Line(
        "geographer",
        "C'est exactement ce que montrent nos enquêtes dans le Val de Saône : "
        "les circuits courts manquent surtout de plateformes communes.",
        0.9,
    ),
    Line(
        "facilitator",
        "Et le climat ? Les sécheresses de ces dernières années ont-elles "
        "changé votre façon de travailler ?",
        0.8,
    ),
    Line(
        "gardener",
        "Complètement. Nous avons planté des haies, paillé les sols, et nous "
        "arrosons la nuit. L'eau est devenue notre premier souci.",
        0.7,
    ),
    Line(
        "geographer",
        "Les cartes le confirment : la plaine de l'Est perd ses nappes. "
        "L'agriculture de demain devra économiser chaque litre.",
        0.9,
    ),
    Line("facilitator", "Nous avons le temps pour une question de la salle.", 0.9),
    Line(
        "room",
        "Bonsoir. Tout cela est très bien, mais le bio local coûte cher. Comment "
        "les familles modestes pourront-elles en profiter ?",
        1.0,
    ),
    Line(
        "geographer",
        "C'est la bonne question. Des villes testent une sécurité sociale "
        "de l'alimentation, avec un budget mensuel pour chaque habitant.",
        0.6,
    ),
    Line(
        "gardener",
        "Et la restauration collective reste le levier le plus juste : un "
        "repas de cantine touche tous les enfants, quel que soit le revenu.",
        1.0,
    ),
    Line(
        "facilitator",
        "Merci à tous les deux. Nous retrouverons ces pistes dans la "
        "restitution écrite de la Rencontre.",
        0.6,
    ),
    Line(
        "facilitator",
        "Bonne soirée, et à bientôt pour la prochaine Rencontre.",
        0.5,
        applause_after=3.0,
    ),
)


@dataclass(frozen=True)
class Debate:
    """One generated Rencontre: who speaks, what is said, when and where."""

    slug: str
    title: str
    theme: str
    start: datetime
    place: str
    cast: dict[str, Voice]
    speakers: tuple[str, ...]
    """The cast keys of the invited speakers (the facilitator is "facilitator")."""
    demo_script: tuple[Line, ...]
    tiny_script: tuple[Line, ...]
    glossary_places: tuple[str, ...] = ()
    glossary_acronyms: tuple[str, ...] = ()

    @property
    def date(self) -> date:
        return self.start.date()


FOOD = Debate(
    "manger-local-2040", TITLE, THEME, datetime(2026, 3, 12, 18, 30), PLACE, CAST,
    ("gardener", "geographer"), DEMO_SCRIPT, TINY_SCRIPT,
    tuple(GLOSSARY_PLACES), tuple(GLOSSARY_ACRONYMS),
)  # fmt: skip
"""The sample Rencontre (``capture samples``)."""

MOBILITY_CAST: dict[str, Voice] = {
    "facilitator": CAST["facilitator"],
    "engineer": Voice("engineer", "Hugo Lefèvre", "ingénieur des mobilités",
                      "Réseau des transports de la Métropole", "fr+m1", 45, 125, 0.6),
    "cyclist": Voice("cyclist", "Sophie Garnier", "présidente", "Association Vélo en Ville",
                     "fr+f3", 58, 128, 0.5),
    "room": CAST["room"],
}  # fmt: skip

MOBILITY_SCRIPT: tuple[Line, ...] = (
    Line("facilitator", "Bonsoir à tous, bienvenue à cette troisième Rencontre de la "
         "prospective, consacrée aux déplacements dans la métropole.", 0.6, applause_after=2.0),
    Line("facilitator", "Hugo Lefèvre, comment se déplacera-t-on en 2040 ?", 0.7),
    Line("engineer", "Moins en voiture seule. Le réseau de tramway doublera, et les "
         "campagnes seront reliées par des cars express toutes les quinze minutes.", 0.7),
    Line("cyclist", "Et le vélo prendra sa place, à condition de pistes continues et "
         "sûres jusqu'aux communes de la plaine de l'Est.", 0.8),
    Line("room", "Et pour les familles modestes qui habitent loin du tramway ?", 0.7),
    Line("engineer", "C'est la priorité : une tarification solidaire, et des navettes "
         "à la demande là où la ligne régulière ne passe pas.", 0.6),
    Line("facilitator", "Merci à vous deux, et à bientôt pour la séance de clôture.", 0.5,
         applause_after=2.0),
)  # fmt: skip

MOBILITY = Debate(
    "se-deplacer-2040", "Se déplacer en 2040 : quelles mobilités pour la métropole ?",
    "Mobilités et transports", datetime(2026, 6, 4, 18, 30),
    "Médiathèque centrale, auditorium", MOBILITY_CAST, ("engineer", "cyclist"),
    MOBILITY_SCRIPT, MOBILITY_SCRIPT[:3], ("plaine de l'Est",), (),
)  # fmt: skip
"""A second, shorter Rencontre of the same cycle (``capture samples --cycle``): the same
facilitator, other speakers, words in common with the first (métropole, familles
modestes...), so the site's search across sessions has something to find."""

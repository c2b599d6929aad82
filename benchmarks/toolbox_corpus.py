"""A generated toolbox: 5,000 French-like documents of about 2,000 words, as item files.

Word frequencies follow Zipf's law over a vocabulary of real French words
(function words most frequent, the network's vocabulary in the middle ranks,
accents included) and 20,000 invented words for the long tail, so that a
query word matches from a handful to most of the documents, as in real text.
Documents are written as toolbox item files and installed the way the app
installs its bundle.
"""

from __future__ import annotations

import itertools
import random
import sys
import time
import uuid
from pathlib import Path

from benchmarks.common import CACHE

DOCUMENTS = 5_000
WORDS = 2_000
SEED = 11
VERSION = 1

FUNCTION_WORDS = (
    "de la le et les des en un une du à est pour que qui dans par sur au avec pas plus ce il "
    "elle nous vous se ne sont ou leur leurs son sa ses aux cette ces être avoir fait faire "
    "comme tout tous mais aussi entre sans sous chaque peut doit très bien déjà encore où "
    "quand après avant même autres souvent toujours ainsi donc alors lors vers chez"
).split()

DOMAIN_WORDS = (
    "territoire territoires acteurs acteur alliance alliances coopération coopérations élus "
    "élue élu collectivité collectivités association associations entreprise entreprises "
    "fondation fondations catalyseur catalyseurs gouvernance financement financements "
    "évaluation cartographie carte cartes atelier ateliers partenariat partenariats convention "
    "conventions comité pilotage données personnelles réseau réseaux démarche démarches "
    "expérimentation expérimentations économie économique solidaire solidarité mobilité "
    "énergie écologie écologique démocratie participation participatif participative "
    "habitants quartier quartiers commune communes intercommunalité département région "
    "projet projets mission missions subvention subventions mécénat budget indicateurs impact "
    "besoins diagnostic entretien entretiens questionnaire confiance médiation facilitation "
    "animation animateur animatrice construction réunion réunions compte rendu ordre jour "
    "présentation relations liens enjeux emploi insertion jeunesse santé alimentation "
    "agriculture culture sport éducation numérique logement transition rencontre rencontres "
    "dialogue engagement engagements charte méthode outil outils étape étapes objectifs "
    "résultats bénévoles salariés dirigeants présidente président directrice directeur "
    "mairie maire adjointe adjoint conseil municipal services publics état préfecture "
    "appel offre dossier dépôt calendrier échéance suivi bilan retour expérience pratiques "
    "compétences formation accompagnement incubation lieu tiers fablab coworking "
    "consentement responsable traitement durée conservation droits accès rectification "
    "sécurité fichier contacts liste registre finalité légitime intérêt posture neutralité "
    "écoute reformulation facilitateur groupe collectif décision consensus vote"
).split()

_ONSETS = ["b", "br", "c", "ch", "cl", "d", "f", "g", "gr", "l", "m", "n", "p", "pr", "r", "s",
           "t", "tr", "v"]  # fmt: skip
_VOWELS = ["a", "e", "i", "o", "u", "ou", "au", "ai", "é", "è", "ê", "â", "ô", "î", "eu"]
_CODAS = ["", "", "", "n", "l", "r", "s", "m", "t", "c"]
_ENDINGS = ["", "", "ement", "tion", "ique", "age", "eur", "ette", "ier", "ière", "ance", "ité"]


def invented(rng: random.Random) -> str:
    syllables = rng.randint(1, 3)
    word = "".join(
        rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)
    )
    return word + rng.choice(_ENDINGS)


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Words by rank and their cumulative Zipf weights."""
    tail: set[str] = set()
    while len(tail) < 20_000:
        tail.add(invented(rng))
    tail -= set(FUNCTION_WORDS) | set(DOMAIN_WORDS)
    middle = sorted(tail)
    rng.shuffle(middle)
    ranked = list(FUNCTION_WORDS)
    # The network's words spread over ranks ~70 to ~3,000: common to rare.
    domain = list(DOMAIN_WORDS)
    rng.shuffle(domain)
    step = max(1, 3_000 // len(domain))
    for index, word in enumerate(domain):
        ranked += middle[index * (step - 1) : (index + 1) * (step - 1)] + [word]
    ranked += middle[len(domain) * (step - 1) :]
    weights = [1.0 / (rank + 2.7) for rank in range(len(ranked))]
    return ranked, list(itertools.accumulate(weights))


def _sentence(rng: random.Random, words: list[str], cumulative: list[float]) -> str:
    picked = rng.choices(words, cum_weights=cumulative, k=rng.randint(8, 24))
    return picked[0].capitalize() + " " + " ".join(picked[1:]) + "."


def document(rng: random.Random, words: list[str], cumulative: list[float]) -> tuple[str, str]:
    """(title, Markdown body) of about ``WORDS`` words."""
    domain = rng.sample(DOMAIN_WORDS, 4)
    title = f"{domain[0].capitalize()} et {domain[1]} : {domain[2]} des {domain[3]}"
    blocks, count = [], 0
    while count < WORDS:
        if count % 400 < 20:
            blocks.append("## " + _sentence(rng, words, cumulative).rstrip("."))
        paragraph = " ".join(_sentence(rng, words, cumulative) for _ in range(rng.randint(3, 7)))
        blocks.append(paragraph)
        count += paragraph.count(" ") + 1
    return title, "\n\n".join(blocks) + "\n"


def _item_file(rng: random.Random, index: int, title: str, body: str) -> str:
    themes = ["posture", "cartographie", "animation", "alliance", "gouvernance", "financement",
              "evaluation", "relations-elus", "donnees-personnelles"]  # fmt: skip
    types = ["guide", "fiche", "modele", "checklist", "kit"]
    summary = body.split("\n\n")[1][:200].rsplit(" ", 1)[0]
    return (
        "+++\n"
        f'id = "{uuid.UUID(int=rng.getrandbits(128), version=4)}"\n'
        f'title = "{title}"\nsummary = "{summary}"\n'
        f'theme = "{themes[index % len(themes)]}"\ntype = "{types[index % len(types)]}"\n'
        'audience = ["catalyseurs"]\nversion = "1.0"\ndate = 2026-01-15\n'
        'authors = ["Corpus généré"]\nlicense = "CC BY-SA 4.0"\n'
        "+++\n" + body
    )


def corpus_root() -> Path:
    """The generated toolbox folder (items/*.md), written once and kept in the cache."""
    root = CACHE / f"toolbox-corpus-{DOCUMENTS}-{WORDS}-{SEED}-v{VERSION}"
    stamp = root / "complete"
    if stamp.exists():
        return root
    print(f"generating {DOCUMENTS} documents in {root}…", file=sys.stderr)
    start = time.perf_counter()
    rng = random.Random(SEED)
    words, cumulative = vocabulary(rng)
    (root / "items").mkdir(parents=True, exist_ok=True)
    for index in range(DOCUMENTS):
        title, body = document(rng, words, cumulative)
        text = _item_file(rng, index, title, body)
        (root / "items" / f"doc-{index:05d}.md").write_text(text, encoding="utf-8")
    stamp.write_text("ok", encoding="utf-8")
    print(f"generated in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return root

"""The reviewer's sheet: every cue with its time, unsure words highlighted, rule warnings."""

from __future__ import annotations

from jinja2 import Environment

from pipeline.core.timecode import clock
from pipeline.subtitles.check import Violation
from pipeline.subtitles.cues import Cue

UNSURE_PROBABILITY = 0.5

_TEMPLATE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Relecture des sous-titres — {{ title }}</title>
<style>
body { font: 16px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ccc; padding: .35rem .5rem; text-align: left;
  vertical-align: top; }
td.time { font-family: ui-monospace, monospace; white-space: nowrap; }
.unsure { background: #ffe08a; text-decoration: underline dotted; }
.hard { color: #a00000; font-weight: bold; }
.style { color: #6b4b00; }
.review { color: #7a2e00; background: #fff1e0; padding: .15rem .3rem; }
</style>
</head>
<body>
<h1>Relecture des sous-titres</h1>
<p>{{ title }} — {{ cues|length }} sous-titres. Corrigez le fichier <code>{{ srt_name }}</code>
dans votre éditeur (Subtitle Edit, Aegisub…), puis :
<code>capture subtitles import SESSION {{ srt_name }}</code>.
Les mots <span class="unsure">surlignés</span> ont été mal reconnus, probablement.</p>
<table>
<thead><tr><th scope="col">N°</th><th scope="col">Début – fin</th>
<th scope="col">Texte</th><th scope="col">Remarques</th></tr></thead>
<tbody>
{% for row in rows %}
<tr id="cue-{{ row.number }}">
<td>{{ row.number }}</td>
<td class="time">{{ row.start }}<br>{{ row.end }}</td>
<td>{% if row.speaker %}<strong>{{ row.speaker }}</strong><br>{% endif %}
{% for line in row.lines %}{% for part in line %}{% if part.unsure %}<span class="unsure"
 title="confiance {{ part.probability }}">{{ part.text }}</span>{% else %}{{ part.text }}{% endif %}
{%- endfor %}<br>{% endfor %}</td>
<td>{% for v in row.violations %}<div class="{{ v.severity.value }}">
{% if v.severity.value == 'review' %}<strong>À condenser</strong> — {% endif %}
{{ v.rule_name|capitalize }} : {{ v.detail }}.</div>{% endfor %}</td>
</tr>
{% endfor %}
</tbody>
</table>
</body>
</html>
"""


_EDGES = ".,;:!?»«\u00a0\u202f-"


def _marked(line: str, cue: Cue) -> list[dict]:
    """The line as text parts, with the words the model was unsure of marked."""
    probability: dict[str, float] = {}
    for word in cue.words:
        bare = word.text.strip(_EDGES).lower()
        probability[bare] = min(word.probability, probability.get(bare, 1.0))
    parts = []
    for index, token in enumerate(line.split(" ")):
        found = probability.get(token.strip(_EDGES).lower())
        parts.append(
            {
                "text": (" " if index else "") + token,
                "unsure": found is not None and found < UNSURE_PROBABILITY,
                "probability": f"{found:.2f}" if found is not None else "",
            }
        )
    return parts


def render_review_sheet(title: str, cues: list[Cue], violations: list[Violation], srt_name: str):
    by_cue: dict[int, list[Violation]] = {}
    for violation in violations:
        by_cue.setdefault(violation.cue, []).append(violation)
    rows = [
        {
            "number": number,
            "start": clock(cue.start_ms),
            "end": clock(cue.end_ms),
            "speaker": cue.speaker,
            "lines": [_marked(line, cue) for line in cue.lines],
            "violations": by_cue.get(number, []),
        }
        for number, cue in enumerate(cues, start=1)
    ]
    environment = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return environment.from_string(_TEMPLATE).render(
        title=title, cues=cues, rows=rows, srt_name=srt_name
    )

"""The dashboard as a PDF for a board meeting: the verdict, the figures, the budgets, the monthly
uptake (as a table: it prints exactly), warnings and the operation plan."""

from datetime import date

from babel.dates import format_date
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from app.core import pdf
from app.core.i18n import in_swedish
from app.core.money import format_money
from app.dashboard.service import VERDICT_LABELS, Dashboard, GoalStatus, percent

_GRID = TableStyle([
    ("FONT", (0, 0), (-1, -1), "Helvetica", 9),
    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
    ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
    ("LINEBELOW", (0, 0), (-1, 0), 0.6, "#555555"),
    ("LINEBELOW", (0, 1), (-1, -1), 0.25, "#bbbbbb"),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
])  # fmt: skip


def _share(part: int, whole: int) -> str:
    return f"{str(percent(part, whole)).replace('.', ',')} %"


def _table(rows: list[list[str]]) -> Table:
    safe = [[pdf.pdf_safe(cell) for cell in row] for row in rows]
    table = Table(safe, repeatRows=1, hAlign="LEFT")
    table.setStyle(_GRID)
    return table


@in_swedish
def dashboard_pdf(d: Dashboard, area_name: str, plan: list[GoalStatus], today: date) -> bytes:
    total = d.overview.total
    verdict = (
        f"{VERDICT_LABELS[d.verdict]}. Upparbetningen är "
        f"{_share(total.committed_ore, total.limit_ore)}"
        f" ({_share(total.committed_ore + total.reserved_ore, total.limit_ore)} med "
        f"reservationer) mot målet {d.target.percent} % senast "
        f"{format_date(d.target.by, 'd MMMM y', locale='sv_SE')}."
    )
    if d.verdict == "missed":
        verdict += f" {format_money(d.target.amount_ore - total.committed_ore)} saknas till målet."
    elif d.verdict != "reached":
        verdict += (
            f" Det krävs {format_money(d.target.per_month_ore)} i nya beslut per månad under "
            f"{d.target.months_left} månader."
        )
    flow: list[Flowable] = [
        Paragraph(pdf.markup(area_name), pdf.AREA),
        Paragraph(pdf.markup(f"Budget och upparbetning {d.period.name}"), pdf.H1),
        Paragraph(pdf.markup(f"Läget {format_date(today, 'd MMMM y', locale='sv_SE')}"), pdf.META),
        Paragraph(pdf.markup(verdict), pdf.BASE),
        _table(
            [
                ["Tilldelat", "Reserverat", "Beviljat", "Utbetalt", "Frigjort", "Kvar", "Prognos"],
                [
                    format_money(v)
                    for v in (
                        total.limit_ore,
                        total.reserved_ore,
                        total.committed_ore,
                        total.paid_ore,
                        d.released_ore,
                        total.remaining_ore,
                        d.forecast_ore,
                    )
                ],
            ]
        ),
    ]
    for title, lines in (("Per insatsområde", d.overview.action_areas),
                         ("Per paraplyprojekt", d.overview.pots)):  # fmt: skip
        rows = [["", "Ram", "Reserverat", "Beviljat", "Utbetalt", "Kvar", "Andel"]]
        rows += [[line.name, *(format_money(v) for v in (
            line.balance.limit_ore, line.balance.reserved_ore, line.balance.committed_ore,
            line.balance.paid_ore, line.balance.remaining_ore)),
            _share(line.balance.reserved_ore + line.balance.committed_ore, line.balance.limit_ore),
        ] for line in lines]  # fmt: skip
        flow += pdf.section(title, _table(rows))
    if d.warnings:
        items = [Paragraph(pdf.markup(w.text), pdf.BULLET, bulletText="–") for w in d.warnings]
        flow += pdf.section("Varningar", *items)
    if d.burn_up:
        rows = [["Månad", "Beviljat totalt", "Utbetalt totalt"]]
        rows += [[p.month, format_money(p.committed_ore), format_money(p.paid_ore)]
                 for p in d.burn_up]  # fmt: skip
        flow += pdf.section("Beviljat och utbetalt per månad", _table(rows))
    for goal in plan:
        rows = [["Aktivitet", "Gjort", "Mål"]]
        rows += [[a.activity.title, str(a.done), str(a.activity.target_count or "–")]
                 for a in goal.activities]  # fmt: skip
        flow += pdf.section(f"Verksamhetsplan: {goal.goal.title}", _table(rows))
    return pdf.build(f"Budget och upparbetning {d.period.name}", area_name,
                     "Underlag till LAG-styrelsen", flow, footer=area_name)  # fmt: skip
